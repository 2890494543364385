// How the portal shows a verification and a document: the checks in plain language, and the
// document laid out by its built-in template, or as a clean list of its fields.
import { at, el } from "./common.js";
import { TEMPLATES } from "./templates.js";

const STATUS_CHECKS = [
  "OpenAttestationEthereumTokenRegistryStatus",
  "OpenAttestationEthereumDocumentStoreStatus",
  "OpenAttestationDidSignedDocumentStatus",
];
const IDENTITY_CHECKS = ["OpenAttestationDnsTxtIdentityProof", "OpenAttestationDnsDidIdentityProof"];
const MARKS = { VALID: "✓", INVALID: "✗", ERROR: "!", SKIPPED: "–" };

// One line per group of checks: the first conclusive fragment of the group speaks for it.
const summarise = (fragments, names, says) => {
  const group = fragments.filter((f) => names.includes(f.name));
  const decisive = group.find((f) => f.status === "INVALID" || f.status === "ERROR")
    || group.find((f) => f.status === "VALID")
    || group[0];
  const status = decisive ? decisive.status : "SKIPPED";
  return { status, text: says(status, decisive) };
};
const why = (f) => (f && f.reason ? `: ${f.reason.message}` : ".");

// The verdict on a document whose data (unsalted) is `data`. Returns whether its contents may
// be shown: only when untampered.
export const renderVerdict = (container, data, verdict) => {
  const fragments = verdict.fragments;
  const integrity = fragments.find((f) => f.name === "OpenAttestationHash");
  const intact = Boolean(integrity && integrity.status === "VALID");
  const issuer = (data.issuers || [])[0] || {};
  const domain = issuer.identityProof && issuer.identityProof.location;
  const checks = [
    { status: integrity ? integrity.status : "ERROR",
      text: intact ? "Untampered: it has not been changed since it was issued."
        : "Tampered: its contents have been changed since it was issued." },
    summarise(fragments, STATUS_CHECKS, (s, f) => ({
      VALID: "Issued, and not revoked.",
      INVALID: `Not issued, or revoked${why(f)}`,
      ERROR: `Whether it was issued could not be determined${why(f)}`,
      SKIPPED: "Whether it was issued was not checked here.",
    })[s]),
    summarise(fragments, IDENTITY_CHECKS, (s, f) => ({
      VALID: `Issued by ${domain || "its named issuer"} (confirmed by that domain's DNS).`,
      INVALID: `The issuer's identity does not check out${why(f)}`,
      ERROR: `The issuer's identity could not be checked${why(f)}`,
      SKIPPED: "The issuer's identity was not checked here.",
    })[s]),
  ];
  // Valid offline means only that nothing failed: say so when something was not checked.
  const complete = checks.every((c) => c.status === "VALID");
  const banner = !verdict.valid ? "This document is NOT valid."
    : complete ? "This document is valid."
      : "No problem found, but not everything could be checked here.";
  container.append(el("div", { class: `verdict ${verdict.valid ? "valid" : "invalid"}`, id: "verdict" }, banner));
  container.append(el("ul", { class: "checks" },
    checks.map((c) => el("li", { class: c.status }, el("span", { class: "mark" }, MARKS[c.status] || "?"), c.text))));
  if (!intact) {
    container.append(el("p", { class: "untrusted", id: "untrusted" },
      "Its contents are not shown: they were changed after issue and cannot be trusted."));
  }
  return intact;
};

const isScalar = (v) => v === null || typeof v !== "object";
const shownAs = (v) => (v === true ? "Yes" : v === false ? "No" : v === null ? "—" : String(v));

// Every scalar of `value` with its dotted path.
const leaves = (value, path = "", rows = []) => {
  if (value && typeof value === "object") {
    Object.entries(value).forEach(([k, v]) => leaves(v, path ? `${path}.${k}` : k, rows));
  } else if (path) {
    rows.push([path, value]);
  }
  return rows;
};
const HIDDEN = ["issuers", "$template"]; // said by the checks, or how to render

// The document laid out: by its template when it names a built-in one, and every field no
// template covers in "Other details", so that nothing the issuer wrote goes unseen.
export const renderDocument = (data, { id = "document", heading } = {}) => {
  const template = TEMPLATES[data.$template && data.$template.name];
  const shown = new Set();
  const value = (path, v, templated) => {
    shown.add(path);
    return el("dd", { "data-path": path, "data-templated": templated ? "yes" : "no" }, templated ? shownAs(v) : String(v));
  };
  const parts = [];
  if (template) {
    const number = at(data, template.number);
    parts.push(el("h3", {}, template.title, isScalar(number) && number !== undefined ? ` ${number}` : ""));
    template.sections.forEach((section) => {
      const rows = section.fields
        .map((field) => [field, at(data, field.path)])
        .filter(([, v]) => v !== undefined && isScalar(v));
      if (!rows.length) return;
      parts.push(el("section", { class: "part" }, el("h4", {}, section.heading),
        el("dl", {}, rows.map(([field, v]) => [el("dt", {}, field.label), value(field.path, v, true)]))));
    });
    template.tables.forEach((table) => {
      const items = at(data, table.path);
      if (!Array.isArray(items) || !items.length) return;
      parts.push(el("section", { class: "part" }, el("h4", {}, table.heading), el("table", {},
        el("thead", {}, el("tr", {}, table.columns.map((c) => el("th", {}, c.label)))),
        el("tbody", {}, items.map((item, i) => el("tr", {}, table.columns.map((c) => {
          const v = item && typeof item === "object" ? item[c.key || c.path] : undefined;
          if (v === undefined || !isScalar(v)) return el("td", {});
          const path = `${table.path}.${i}.${c.path}`;
          shown.add(path);
          return el("td", { "data-path": path, "data-templated": "yes" }, shownAs(v));
        })))))));
    });
  } else {
    parts.push(el("h3", {}, heading || "The document"));
  }
  const others = leaves(data).filter(([path]) => !shown.has(path)
    && !HIDDEN.some((h) => path === h || path.startsWith(`${h}.`)));
  if (others.length) {
    parts.push(el("section", { class: "part" }, el("h4", {}, template ? "Other details" : "Details"),
      el("dl", {}, others.map(([path, v]) => [el("dt", {}, path), value(path, v === undefined ? "" : v, false)]))));
  }
  const issuer = (data.issuers || [])[0] || {};
  return el("article", { class: "document", id },
    issuer.name ? el("p", { class: "issued-by" }, `Issued by ${issuer.name}`) : null, parts);
};
