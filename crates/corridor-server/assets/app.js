// The portal's verify page: the document goes to POST /api/verify; the answer is shown in plain
// language, and the document's own fields only when it is untampered.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  children.forEach((c) => node.append(c));
  return node;
};

const STATUS_CHECKS = [
  "OpenAttestationEthereumTokenRegistryStatus",
  "OpenAttestationEthereumDocumentStoreStatus",
  "OpenAttestationDidSignedDocumentStatus",
];
const IDENTITY_CHECKS = ["OpenAttestationDnsTxtIdentityProof", "OpenAttestationDnsDidIdentityProof"];
const MARKS = { VALID: "✓", INVALID: "✗", ERROR: "!", SKIPPED: "–" };

// A salted value ("uuid:type:value") as the issuer wrote it.
const unsalt = (value) => {
  if (Array.isArray(value)) return value.map(unsalt);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsalt(v)]));
  }
  if (typeof value !== "string") return value;
  const match = /^[0-9a-f-]{36}:(string|number|boolean|null|undefined):(.*)$/s.exec(value);
  if (!match) return value;
  switch (match[1]) {
    case "number": return Number(match[2]);
    case "boolean": return match[2] === "true";
    case "null": return null;
    case "undefined": return undefined;
    default: return match[2];
  }
};

// One line per group of checks: the first conclusive fragment of the group speaks for it.
const summarise = (fragments, names, says) => {
  const group = fragments.filter((f) => names.includes(f.name));
  const decisive = group.find((f) => f.status === "INVALID" || f.status === "ERROR")
    || group.find((f) => f.status === "VALID")
    || group[0];
  const status = decisive ? decisive.status : "SKIPPED";
  return { status, text: says(status, decisive) };
};

const flatten = (value, path = "", rows = []) => {
  if (value && typeof value === "object") {
    Object.entries(value).forEach(([k, v]) => flatten(v, path ? `${path}.${k}` : k, rows));
  } else {
    rows.push([path, value === undefined ? "" : String(value)]);
  }
  return rows;
};

const render = (documentJson, verdict) => {
  const result = $("result");
  result.replaceChildren();
  const fragments = verdict.fragments;
  const integrity = fragments.find((f) => f.name === "OpenAttestationHash");
  const intact = integrity && integrity.status === "VALID";
  const data = unsalt(documentJson.data || {});
  const issuer = (data.issuers || [])[0] || {};
  const domain = issuer.identityProof && issuer.identityProof.location;
  const checks = [
    { status: integrity ? integrity.status : "ERROR",
      text: intact ? "Untampered: it has not been changed since it was issued."
        : "Tampered: its contents have been changed since it was issued." },
    summarise(fragments, STATUS_CHECKS, (s, f) => ({
      VALID: "Issued, and not revoked.",
      INVALID: `Not issued, or revoked${f && f.reason ? `: ${f.reason.message}` : "."}`,
      ERROR: `Whether it was issued could not be determined${f && f.reason ? `: ${f.reason.message}` : "."}`,
      SKIPPED: "Whether it was issued was not checked here.",
    })[s]),
    summarise(fragments, IDENTITY_CHECKS, (s, f) => ({
      VALID: `Issued by ${domain || "its named issuer"} (confirmed by that domain's DNS).`,
      INVALID: `The issuer's identity does not check out${f && f.reason ? `: ${f.reason.message}` : "."}`,
      ERROR: `The issuer's identity could not be checked${f && f.reason ? `: ${f.reason.message}` : "."}`,
      SKIPPED: "The issuer's identity was not checked here.",
    })[s]),
  ];
  // Valid offline means only that nothing failed: say so when something was not checked.
  const complete = checks.every((c) => c.status === "VALID");
  const banner = !verdict.valid ? "This document is NOT valid."
    : complete ? "This document is valid."
      : "No problem found, but not everything could be checked here.";
  result.append(el("div", { class: `verdict ${verdict.valid ? "valid" : "invalid"}`, id: "verdict" }, banner));
  result.append(el("ul", { class: "checks" },
    ...checks.map((c) => el("li", { class: c.status }, el("span", { class: "mark" }, MARKS[c.status] || "?"), c.text))));

  if (!intact) {
    result.append(el("p", { class: "untrusted", id: "untrusted" },
      "Its contents are not shown: they were changed after issue and cannot be trusted."));
    return;
  }
  const rows = flatten(data).filter(([path]) => !path.startsWith("issuers") && !path.startsWith("$template"));
  const list = el("dl");
  rows.forEach(([k, v]) => list.append(el("dt", {}, k), el("dd", {}, v)));
  result.append(el("section", { class: "document", id: "document" },
    el("h3", {}, issuer.name ? `Issued by ${issuer.name}` : "The document"), list));
};

const verify = async (text) => {
  const result = $("result");
  let documentJson;
  try {
    documentJson = JSON.parse(text);
  } catch (e) {
    result.replaceChildren(el("p", { class: "error", id: "error" }, "This is not a document: it is not JSON."));
    return;
  }
  result.replaceChildren(el("p", {}, "Checking…"));
  const response = await fetch("/api/verify", {
    method: "POST", headers: { "content-type": "application/json" }, body: text,
  });
  const answer = await response.json();
  if (!response.ok) {
    result.replaceChildren(el("p", { class: "error", id: "error" }, answer.error ? answer.error.message : "The check failed."));
    return;
  }
  render(documentJson, answer);
};

const drop = $("drop");
$("file").addEventListener("change", async (e) => {
  const [file] = e.target.files;
  if (file) await verify(await file.text());
});
["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  const [file] = e.dataTransfer.files;
  if (file) await verify(await file.text());
});
$("check").addEventListener("click", () => verify($("paste").value));
