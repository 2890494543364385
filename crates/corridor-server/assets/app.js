// The portal: one page whose parts the path chooses — verify (`/`, and shared documents at
// `/s/{id}`), issue, titles, share, trace and companies.
import { $ } from "./common.js";
import * as verify from "./verify.js";
import * as issue from "./issue.js";
import * as titles from "./titles.js";
import * as share from "./share.js";
import * as trace from "./trace.js";
import * as companies from "./companies.js";

const PAGES = { "/": "verify", "/issue": "issue", "/titles": "titles", "/share": "share", "/trace": "trace", "/companies": "companies" };

const show = (page) => {
  Object.values(PAGES).forEach((p) => { $(p).hidden = p !== page; });
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("here", a.dataset.page === page));
};

show(PAGES[location.pathname] || "verify");
verify.start();
issue.start(show);
titles.start();
share.start();
trace.start();
companies.start();
