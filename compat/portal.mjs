// The portal in a real browser (Debian's headless Chromium, driven by playwright-core), for
// Corridor's browser tests. Each command does what a person would and prints what they see,
// as JSON, with "failures": the page's script errors and failed requests.
//
//   node portal.mjs verify-file <base-url> <file>                    choose the file on the verify page
//   node portal.mjs verify-paste <base-url> <file>                   paste its contents instead
//   node portal.mjs verify-example <base-url> <name>                 click one of the server's examples
//   node portal.mjs open <base-url> <path>                           open a page of the portal, as a share link
//   node portal.mjs shopper <base-url> <path>                        open the page a product's QR code (a
//                                                                    Digital Link) leads to: its title, verdict
//                                                                    (words, class, colours), reasons, journey
//   node portal.mjs trace-check <base-url> <code>                     type an item's code on the trace page and
//                                                                    check it: the verdict (words, class,
//                                                                    colours), reasons, whether a scan button shows
//   node portal.mjs trace-graph <base-url> <code>                     show a lot's chain: its verdict, origins,
//                                                                    what it came from and went into
//   node portal.mjs trace-record <base-url> <api-token> <epc> <step>  record an event through the form
//   node portal.mjs issue <base-url> <api-token> <domain> <out.tt> <owner> <holder>
//                                                                    fill in a bill of lading, its title's first
//                                                                    owner and holder, preview, issue, download it
//                                                                    to out.tt, verify it, and open its title
//   node portal.mjs issue-w3c <base-url> <api-token> <form.json> <out.json>
//                                                                    choose W3C and the form's template, add its
//                                                                    lines, fill in its fields (and a title's
//                                                                    first owner), preview, issue, download it,
//                                                                    verify it; form.json is {"template",
//                                                                    "add": [table path…], "fields": [[path, value]…],
//                                                                    "owner"?, "link"?: true to give it a link to
//                                                                    itself}
//   node portal.mjs rendered <base-url> <file> [<path> <out>]        verify the file and see it as its issuer's
//                                                                    renderer draws it in its frame: the page's
//                                                                    content security policy, the frame's state
//                                                                    (shown, fallback, not-allowed) and note, the
//                                                                    values it shows, its templates (each one's
//                                                                    values), its height, print; or the built-in
//                                                                    layout in its place. With <path>, click the
//                                                                    frame's button hiding it, and download the
//                                                                    copy made to <out>
//   node portal.mjs share <base-url> <api-token> <file>              share the file, then open the link (the
//                                                                    page's TradeTrust link reported too)
//   node portal.mjs companies <base-url> <api-token> <query> [<basis>]
//                                                                    look a company up on the companies page:
//                                                                    each one's verdict (words, class, colours),
//                                                                    refusal, what was withheld and why, its fields
//   node portal.mjs title <base-url> <registry> <token> [<private-key-env> <api-token> <action> <address>]
//                                                                    see a title; act on it with the key
//                                                                    in that environment variable
//   node portal.mjs serve-browser                                    start Chromium for the commands to share:
//                                                                    prints its address, for CORRIDOR_BROWSER;
//                                                                    stops when standard input closes
//
// With SCREENSHOT=file.png in the environment, the page is also saved as a picture at the end
// (for a title, of the page before acting; for issuing, of the page once issued). With VIEWPORT=WIDTHxHEIGHT (default 1280x900) the
// page is that size, and "layout" lists, for each state the command passes through, what
// sticks out of the viewport's width: a page wider than it, or an element whose right edge is
// beyond it.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [command, base, ...args] = process.argv.slice(2);
const launch = {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
};
if (command === "serve-browser") {
  // One Chromium for many commands (launching it is most of a short one's time): prints its
  // address, then closes it when standard input ends, as it does when the caller exits.
  const server = await chromium.launchServer(launch);
  process.stdout.write(`${server.wsEndpoint()}\n`);
  process.stdin.on("end", () => server.close().then(() => process.exit(0)));
  process.stdin.resume();
  await new Promise(() => {});
}
// Each command opens its own context, in the shared browser when CORRIDOR_BROWSER names one.
const browser = process.env.CORRIDOR_BROWSER
  ? await chromium.connect(process.env.CORRIDOR_BROWSER)
  : await chromium.launch(launch);
const failures = [];
const watch = (page) => {
  page.on("pageerror", (e) => failures.push(String(e)));
  page.on("requestfailed", (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
  return page;
};
const [width, height] = (process.env.VIEWPORT || "1280x900").split("x").map(Number);
const layout = {};
// What sticks out of the viewport's width now, named so that a person can find it.
const overflows = async (page, state) => {
  layout[state] = await page.evaluate(() => {
    const limit = window.innerWidth + 0.5;
    const name = (n) => `${n.tagName.toLowerCase()}${n.id ? `#${n.id}` : ""}${n.classList.length ? `.${[...n.classList].join(".")}` : ""}`;
    const wide = document.documentElement.scrollWidth > window.innerWidth
      ? [`the page is ${document.documentElement.scrollWidth}px wide`] : [];
    return wide.concat([...document.querySelectorAll("body *")]
      .map((n) => [n, n.getBoundingClientRect()])
      .filter(([, box]) => (box.width > 0 || box.height > 0) && box.right > limit)
      .map(([n, box]) => `${name(n)} ends at ${Math.round(box.right)}px`));
  });
};
const text = async (page, selector) => ((await page.$(selector)) ? (await page.textContent(selector)).trim() : null);

// What the verify page shows once it has decided: for each document of the file (one, or
// each of a list), the banner (its words, its look and colour), the checks, who issued it as
// shown above the document, and the document's values; the first one's also at the top.
const verdict = async (page) => {
  await page.waitForSelector("#result[data-state=done]", { timeout: 15000 });
  const results = await page.$$eval("#result .result", (sections) => sections.map((section) => {
    const textOf = (selector) => { const node = section.querySelector(selector); return node ? node.textContent.trim() : null; };
    const banner = section.querySelector(".verdict");
    const issuedBy = section.querySelector(".issued-by");
    return {
      heading: textOf(".document h3"),
      place: textOf(".result-heading"),
      verdict: textOf(".verdict"),
      look: banner ? banner.classList[1] : null,
      colour: banner ? getComputedStyle(banner).backgroundColor : null,
      checks: [...section.querySelectorAll(".checks li")].map((li) => ({ status: li.className, text: li.textContent })),
      issuedBy: issuedBy ? { text: issuedBy.textContent.trim(), look: issuedBy.classList[1], colour: getComputedStyle(issuedBy).color } : null,
      untrusted: textOf(".untrusted"),
      derived: textOf(".derived"),
      withheld: textOf("#withheld"),
      itemError: textOf(".item-error"),
      document: [...section.querySelectorAll(".document [data-path]")]
        .map((n) => [n.dataset.path, n.textContent, n.dataset.templated === "yes"]),
    };
  }));
  const first = results[0] || { checks: [], document: [] };
  return { ...first, error: await text(page, "#error"), many: await text(page, "#many"), results };
};
// Every value a rendered document shows: [path, text, templated].
const fields = (page, root) => page.$$eval(`${root} [data-path]`,
  (nodes) => nodes.map((n) => [n.dataset.path, n.textContent, n.dataset.templated === "yes"]));

const fill = async (page, path, value) => {
  const id = `#f-${path.replace(/[^A-Za-z0-9]/g, "-")}`;
  await page.fill(id, value);
};

// Clicks Issue and waits for the page to say how it went: [what it issued, its error].
const issueNow = async (page) => {
  await page.click("#do-issue");
  await page.waitForSelector("#issued, #issue-error", { timeout: 15000 });
  return [await text(page, "#issued"), await text(page, "#issue-error")];
};
// Downloads what was issued to `out`: the name the page gave the file.
const download = async (page, out) => {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  await file.saveAs(out);
  return file.suggestedFilename();
};

try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width, height } });
  const page = watch(await context.newPage());
  let seen;
  switch (command) {
    case "verify-file": {
      await page.goto(base);
      await page.setInputFiles("#file", args[0]);
      seen = await verdict(page);
      await overflows(page, "verify");
      break;
    }
    case "rendered": {
      // The frame's print() is counted rather than opened.
      await context.addInitScript(() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; });
      const response = await page.goto(base);
      await page.setInputFiles("#file", args[0]);
      seen = await verdict(page);
      await page.waitForSelector(".renderer:not([data-state=connecting])", { timeout: 15000 });
      const box = await page.$(".renderer");
      seen.csp = response.headers()["content-security-policy"];
      seen.state = await box.getAttribute("data-state");
      seen.note = await text(page, ".renderer-note");
      seen.frames = (await page.$$("iframe")).length;
      if (seen.state === "shown") {
        const frameElement = await page.$("iframe.renderer-frame");
        seen.sandbox = await frameElement.getAttribute("sandbox");
        // Seen, as a person scrolls to it: Chromium pauses a frame's work while it is off screen.
        await frameElement.scrollIntoViewIfNeeded();
        const frame = await frameElement.contentFrame();
        // What the frame shows: each value with its path (the text, not its Hide button).
        const shown = async () => {
          await frame.waitForSelector("[data-path]", { timeout: 15000 });
          return frame.$$eval("[data-path]", (nodes) => nodes.map((n) => [n.dataset.path, (n.querySelector("span") || n).textContent]));
        };
        seen.framed = await shown();
        await page.waitForSelector(".renderer-tabs button", { timeout: 15000 });
        seen.templates = await page.$$eval(".renderer-tabs button", (tabs) => tabs.map((t) => [t.dataset.template, t.textContent, t.getAttribute("aria-selected")]));
        // The frame as tall as the renderer says its content is, once it has said so.
        await page.waitForFunction(() => document.querySelector("iframe.renderer-frame").style.height !== "", null, { timeout: 15000, polling: 100 });
        const heights = async () => ({
          frame: await frameElement.evaluate((f) => Math.round(f.getBoundingClientRect().height)),
          content: await frame.evaluate(() => document.documentElement.scrollHeight),
        });
        seen.height = await heights();
        for (let tries = 0; tries < 50 && seen.height.frame !== seen.height.content; tries += 1) {
          await page.waitForTimeout(100);
          seen.height = await heights();
        }
        await overflows(page, "rendered");
        const [, second] = seen.templates;
        if (second) {
          await page.click(`.renderer-tabs button[data-template="${second[0]}"]`);
          await frame.waitForFunction((label) => document.querySelector("h1") && document.querySelector("h1").textContent === label, second[1], { timeout: 15000, polling: 100 });
          seen.second = { heading: await frame.textContent("h1"), values: await frame.$$eval("[data-path]", (nodes) => nodes.map((n) => n.dataset.path)) };
          await page.click(`.renderer-tabs button[data-template="${seen.templates[0][0]}"]`);
        }
        await page.click(".renderer-print");
        await frame.waitForFunction(() => window.printed > 0, null, { timeout: 15000, polling: 100 });
        seen.printed = await frame.evaluate(() => window.printed);
        const [path, out] = args.slice(1);
        if (path) {
          await frame.waitForSelector(`[data-hide="${path}"]`, { timeout: 15000 });
          await frame.click(`[data-hide="${path}"]`);
          await page.waitForFunction(() => document.querySelector("#hidden-copy")
            || /cannot be hidden|one document at a time/.test(document.querySelector(".renderer-said")?.textContent), null, { timeout: 15000 });
          seen.said = await text(page, ".renderer-said");
          if (await page.$("#hidden-copy")) {
            await page.waitForSelector(".renderer[data-state=shown]", { timeout: 15000 });
            seen.hidden = { copy: await text(page, "#hidden-copy"), ...(await verdict(page)) };
            const againElement = await page.$("iframe.renderer-frame");
            await againElement.scrollIntoViewIfNeeded();
            const again = await againElement.contentFrame();
            await again.waitForSelector("[data-path]", { timeout: 15000 });
            seen.hidden.framed = await again.$$eval("[data-path]", (nodes) => nodes.map((n) => [n.dataset.path, (n.querySelector("span") || n).textContent]));
            const [file] = await Promise.all([page.waitForEvent("download"), page.click("#download-hidden")]);
            await file.saveAs(out);
          }
        }
      } else {
        seen.builtIn = await fields(page, ".renderer .document");
        // A renderer that does not answer: its frame's failed load is what was seen, not a fault.
        const origin = await box.getAttribute("data-origin");
        if (origin) failures.splice(0, failures.length, ...failures.filter((f) => !f.startsWith(`${origin}/`)));
      }
      break;
    }
    case "verify-paste": {
      await page.goto(base);
      await page.click("summary");
      await page.fill("#paste", readFileSync(args[0], "utf8"));
      await page.click("#check");
      seen = await verdict(page);
      break;
    }
    case "verify-example": {
      await page.goto(base);
      await page.click(`[data-example="${args[0]}"]`);
      seen = await verdict(page);
      break;
    }
    case "open": {
      await page.goto(`${base}${args[0]}`);
      seen = await verdict(page);
      break;
    }
    case "shopper": {
      const response = await page.goto(`${base}${args[0]}`);
      const verdictBox = await page.$("#verdict");
      seen = {
        status: response.status(),
        title: await text(page, "h1"),
        verdict: verdictBox ? {
          class: await verdictBox.getAttribute("class"),
          text: (await verdictBox.textContent()).trim(),
          colour: await verdictBox.evaluate((n) => getComputedStyle(n).backgroundColor),
        } : null,
        reasons: await page.$$eval("#verdict li", (items) => items.map((li) => li.dataset.code)),
        journey: await page.$$eval("ol li", (items) => items.length),
        bytes: (await response.body()).length,
      };
      await overflows(page, "shown");
      break;
    }
    case "trace-check": {
      await page.goto(`${base}/trace`);
      await page.fill("#trace-code", args[0]);
      await page.click("#trace-check");
      await page.waitForSelector("#trace-verdict, #trace-error", { timeout: 15000 });
      const box = await page.$("#trace-verdict");
      seen = {
        verdict: box ? {
          class: await box.getAttribute("class"),
          text: (await box.textContent()).trim(),
          colour: await box.evaluate((n) => getComputedStyle(n).backgroundColor),
        } : null,
        reasons: await page.$$eval("#trace-verdict li", (items) => items.map((li) => li.dataset.code)),
        error: await text(page, "#trace-error"),
        page: await page.$eval("#trace-page", (a) => a.getAttribute("href")).catch(() => null),
        scanShown: await page.isVisible("#trace-scan"),
      };
      await overflows(page, "checked");
      break;
    }
    case "trace-graph": {
      await page.goto(`${base}/trace`);
      await page.click("#operators summary");
      await page.fill("#graph-code", args[0]);
      await page.click("#graph-show");
      await page.waitForSelector("#graph-verdict, #graph-error", { timeout: 15000 });
      const items = (selector) => page.$$eval(`${selector} li`, (lis) => lis.map((li) => li.textContent.trim()));
      seen = {
        verdict: await text(page, "#graph-verdict"),
        error: await text(page, "#graph-error"),
        origins: await items("#graph-origins"),
        upstream: await items("#graph-upstream"),
        lots: await items("#graph-lots"),
        units: await items("#graph-units"),
        items: await text(page, "#graph-items"),
      };
      await overflows(page, "graph");
      break;
    }
    case "trace-record": {
      const [token, epc, step] = args;
      await page.goto(`${base}/trace`);
      await page.click("#operators summary");
      await page.fill("#record-epcs", epc);
      await page.selectOption("#record-step", step);
      await page.fill("#record-temperature", "4.5");
      await page.fill("#record-token", token);
      await overflows(page, "record form");
      await page.click("#record-submit");
      await page.waitForSelector("#recorded, #record-error", { timeout: 15000 });
      seen = { recorded: await text(page, "#recorded-id"), error: await text(page, "#record-error") };
      break;
    }
    case "issue": {
      const [token, out, owner, holder] = args;
      await page.goto(`${base}/issue`);
      await page.waitForFunction(() => document.querySelector("#issuer-state").textContent !== "");
      const issuerState = await text(page, "#issuer-state");
      await page.selectOption("#template", "BILL_OF_LADING");
      // A port that is not a UN/LOCODE is refused as it is typed, and issuing waits for it.
      await fill(page, "portOfLoading", "Singapore");
      const typedProblem = await text(page, "#f-portOfLoading-problem");
      const blockedWhileWrong = await page.isDisabled("#do-issue");
      await fill(page, "portOfLoading", "SGSIN");
      for (const [path, value] of [["blNumber", "BL-PORTAL-1"], ["vessel", "MV Portal"], ["portOfDischarge", "CNCKG"],
        ["shipper.name", "Tropical Fruits Export Pte Ltd"], ["shipper.address.country", "SG"],
        ["consignee.name", "Chongqing Fresh Imports Co"], ["packages.0.description", "Frozen durian"],
        ["packages.0.count", "120"], ["packages.0.weightKg", "2400.5"]]) {
        await fill(page, path, value);
      }
      await page.check("#f-negotiable");
      await page.click("#add-packages");
      await fill(page, "packages.1.description", "Cut orchids");
      await fill(page, "packages.1.count", "30");
      await fill(page, "packages.1.weightKg", "180.25");
      const issuerShown = { name: await text(page, "#issuer-shown-name"), domain: await text(page, "#issuer-shown-domain") };
      await page.fill("#issue-token", token);
      await page.fill("#issue-owner", owner);
      await page.fill("#issue-holder", holder);
      await page.click("#preview");
      const preview = await fields(page, "#preview-document");
      await overflows(page, "issue form");
      const [issued, issueError] = await issueNow(page);
      if (issued) {
        // Issued once: the button and the form stay locked until "Issue another".
        const locked = { button: await page.isDisabled("#do-issue"), form: await page.isDisabled("#f-blNumber") };
        const dnsRecord = await text(page, "#dns-record");
        const titleLink = await page.$eval("#open-title", (a) => a.href).catch(() => null);
        await overflows(page, "issued");
        const file = await download(page, out);
        await page.click("#preview");
        if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
        await page.click("#verify-issued");
        const verified = await verdict(page);
        await overflows(page, "issued, verified");
        let title = null;
        if (titleLink) {
          await page.goto(titleLink);
          await page.waitForSelector("#title-now, #title-error", { timeout: 15000 });
          title = {
            owner: await page.getAttribute("#title-owner code", "data-address").catch(() => null),
            holder: await page.getAttribute("#title-holder code", "data-address").catch(() => null),
            timeline: await page.$$eval("#timeline li", (items) => items.map((li) => li.dataset.action)),
          };
          await overflows(page, "its title");
        }
        seen = { issuerState, issuerShown, typedProblem, blockedWhileWrong, preview, issued, locked, dnsRecord, title,
          file, ...verified };
      } else {
        seen = { issuerState, issuerShown, typedProblem, blockedWhileWrong, preview, issueError };
      }
      break;
    }
    case "issue-w3c": {
      const [token, formFile, out] = args;
      const form = JSON.parse(readFileSync(formFile, "utf8"));
      await page.goto(`${base}/issue`);
      await page.waitForFunction(() => document.querySelector("#issuer-state").textContent !== "");
      await page.selectOption("#issue-format", "w3c");
      await page.selectOption("#template", form.template);
      const issuerState = await text(page, "#issuer-state");
      const issuerShown = await text(page, "#issuer-shown");
      for (const table of form.add || []) await page.click(`#add-${table}`);
      for (const [path, value] of form.fields) await fill(page, path, value);
      await page.fill("#issue-token", token);
      if (form.owner) await page.fill("#issue-owner", form.owner);
      if (form.link) await page.check("#issue-link");
      const computed = await page.$$eval("#issue-form input[readonly]", (inputs) => inputs.map((i) => [i.name, i.value]));
      await page.click("#preview");
      const preview = await fields(page, "#preview-document");
      await overflows(page, "issue form");
      const [issued, issueError] = await issueNow(page);
      seen = { issuerState, issuerShown, computed, preview, issued, issueError };
      if (issued) {
        seen.status = await text(page, "#issued-status");
        seen.title = await text(page, "#issued-title");
        seen.didLocation = await text(page, "#did-location");
        seen.locked = await page.isDisabled("#do-issue");
        await overflows(page, "issued");
        seen.file = await download(page, out);
        if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
        await page.click("#verify-issued");
        Object.assign(seen, await verdict(page));
        await overflows(page, "issued, verified");
      }
      break;
    }
    case "share": {
      const [token, file] = args;
      await page.goto(`${base}/share`);
      await page.setInputFiles("#share-file", file);
      await page.fill("#share-token", token);
      await page.click("#do-share");
      await page.waitForSelector("#share-link, #share-error", { timeout: 15000 });
      const link = await page.$eval("#share-link", (a) => a.href).catch(() => null);
      const tradetrust = await page.$eval("#share-tradetrust", (a) => a.getAttribute("href")).catch(() => null);
      const qr = await page.$eval("#share-qr", (img) => img.complete && img.naturalWidth > 0 && img.src.startsWith("data:image/")).catch(() => false);
      const shareError = await text(page, "#share-error");
      await overflows(page, "shared");
      const requests = [];
      const reader = watch(await context.newPage());
      reader.on("request", (r) => requests.push(r.url()));
      if (link) await reader.goto(link);
      seen = { link, tradetrust, qr, shareError, requests, ...(link ? await verdict(reader) : {}) };
      if (link) await overflows(reader, "shared, opened");
      break;
    }
    case "companies": {
      const [token, query, basis] = args;
      await page.goto(`${base}/companies`);
      await overflows(page, "companies form");
      await page.fill("#company-query", query);
      if (basis) await page.fill("#company-basis", basis);
      await page.fill("#company-token", token);
      await page.click("#company-find");
      await page.waitForSelector("#company-results[data-state=done]", { timeout: 20000 });
      seen = {
        found: await text(page, "#company-found"),
        error: await text(page, "#company-error"),
        companies: await page.$$eval(".company-result", (sections) => sections.map((section) => {
          const textOf = (selector) => { const node = section.querySelector(selector); return node ? node.textContent.trim() : null; };
          const banner = section.querySelector(".verdict");
          const refusal = section.querySelector(".refusal");
          return {
            company: section.dataset.company,
            verdict: textOf(".verdict"),
            look: banner ? banner.classList[1] : null,
            colour: banner ? getComputedStyle(banner).backgroundColor : null,
            checks: [...section.querySelectorAll(".checks li")].map((li) => li.className),
            refusal: textOf(".refusal"),
            refusalColour: refusal ? getComputedStyle(refusal).backgroundColor : null,
            withheld: textOf(".withheld summary"),
            reasons: [...section.querySelectorAll(".withheld li")].map((li) => li.dataset.reason),
            heading: textOf(".document h3"),
            document: [...section.querySelectorAll(".document [data-path]")].map((n) => [n.dataset.path, n.textContent]),
          };
        })),
      };
      await page.$$eval(".withheld", (all) => all.forEach((d) => { d.open = true; }));
      await overflows(page, "companies found");
      break;
    }
    case "title": {
      const [registry, token, keyEnv, apiToken, action, address] = args;
      await page.goto(`${base}/titles?registry=${registry}&token=${token}`);
      await page.waitForSelector("#title-now, #title-error", { timeout: 15000 });
      const read = async () => ({
        owner: await page.getAttribute("#title-owner code", "data-address").catch(() => null),
        holder: await page.getAttribute("#title-holder code", "data-address").catch(() => null),
        state: await text(page, "#title-state"),
        ledger: await text(page, "#title-ledger"),
        error: await text(page, "#title-error"),
        timeline: await page.$$eval("#timeline li", (items) => items.map((li) => li.dataset.action)),
      });
      seen = { before: await read() };
      await overflows(page, "title");
      if (keyEnv) {
        const screenshot = process.env.SCREENSHOT;
        await page.fill("#party-key", process.env[keyEnv]);
        await page.dispatchEvent("#party-key", "change");
        await page.waitForFunction(() => /^As 0x/.test(document.querySelector("#party").textContent));
        seen.party = await text(page, "#party");
        seen.open = await page.$$eval("#open-actions [data-act]", (b) => b.map((x) => x.dataset.act));
        if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
        await page.fill("#title-token-api", apiToken);
        await page.click(`[data-act="${action}"]`);
        if (address) await page.fill(action === "transfer-holder" ? "#act-holder" : "#act-nominee", address);
        // A registry that keeps remarks (not Token Registry v4) is given one.
        seen.remarkOffered = (await page.$("#act-remark")) !== null;
        if (seen.remarkOffered) await page.fill("#act-remark", "through the portal");
        await overflows(page, "title, acting");
        await page.click("#act-send");
        await page.waitForFunction(() => document.querySelector("#act-result").textContent !== "");
        seen.result = await text(page, "#act-result");
        await page.waitForFunction((n) => document.querySelectorAll("#timeline li").length > n, seen.before.timeline.length, { timeout: 5000 }).catch(() => {});
        seen.after = await read();
        seen.keyLeftInPage = await page.$eval("#party-key", (i) => i.value !== "");
      }
      break;
    }
    default:
      throw new Error("usage: see the head of portal.mjs");
  }
  if (process.env.SCREENSHOT && !["issue", "issue-w3c", "title"].includes(command)) {
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  }
  console.log(JSON.stringify({ ...seen, layout, failures }));
} finally {
  await browser.close();
}
