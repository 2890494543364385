// How the portal shows a verification and a document: the checks in plain language, and the
// document laid out by its built-in template, or as a clean list of its fields.
import { at, el } from "./common.js";
import { renderedDocument } from "./renderer.js";
import { layoutOf } from "./templates.js";

const STATUS_CHECKS = [
  "OpenAttestationEthereumTokenRegistryStatus",
  "OpenAttestationEthereumDocumentStoreStatus",
  "OpenAttestationDidSignedDocumentStatus",
];
const IDENTITY_CHECKS = ["OpenAttestationDnsTxtIdentityProof", "OpenAttestationDnsDidIdentityProof"];
// TrustVC's checks of a W3C credential: its proof (one suite applies), its status, its issuer.
const W3C_INTEGRITY = ["W3CSignatureIntegrity", "EcdsaW3CSignatureIntegrity", "Bbs2023W3CSignatureIntegrity"];
const W3C_STATUS = ["W3CCredentialStatus", "TransferableRecords", "W3CEmptyCredentialStatus"];
const W3C_IDENTITY = ["W3CIssuerIdentity"];
const isW3c = (fragments) => fragments.some((f) => W3C_INTEGRITY.includes(f.name));
// A selective disclosure suite says "verified successfully" of a derived copy, and "after
// derivation" of the credential its issuer signed.
const isDerivedCopy = (fragments) => fragments.some((f) => W3C_INTEGRITY.includes(f.name)
  && f.status === "VALID" && f.reason && f.reason.message === "Document verified successfully");
const MARKS = { VALID: "✓", INVALID: "✗", ERROR: "!", SKIPPED: "–" };

// One line per group of checks: the first conclusive fragment of the group speaks for it, a
// definite "no" before a "could not ask".
const summarise = (fragments, names, says) => {
  const group = fragments.filter((f) => names.includes(f.name));
  const decisive = group.find((f) => f.status === "INVALID")
    || group.find((f) => f.status === "ERROR")
    || group.find((f) => f.status === "VALID")
    || group[0];
  const status = decisive ? decisive.status : "SKIPPED";
  return { status, text: says(status, decisive) };
};
const why = (f) => (f && f.reason ? `: ${f.reason.message}` : ".");

// The domains whose DNS vouched for the issuer: tt-verify's `data` of a valid identity
// fragment has one entry per issuer (DNS-TXT) or key (DNS-DID), and only those it marked
// VALID vouched; of an OpenAttestation v3 document, its one identity (`identifier`, for
// DNS-TXT, vouching when the fragment is valid). The document's own `identityProof` is a
// claim, never shown as this.
const identityEntries = (f) => {
  if (Array.isArray(f.data)) return f.data;
  if (!f.data || typeof f.data !== "object") return [];
  return [{ status: f.data.status ?? f.status, location: f.data.location ?? f.data.identifier }];
};
const vouchingDomains = (fragments) => [...new Set(fragments
  .filter((f) => IDENTITY_CHECKS.includes(f.name) && f.status === "VALID")
  .flatMap(identityEntries)
  .filter((entry) => entry && entry.status === "VALID" && typeof entry.location === "string")
  .map((entry) => entry.location))];

// The three lines a person reads: untampered, issued, by whom.
const checkLines = (fragments, domains, data) => {
  const w3c = isW3c(fragments);
  // Of a W3C credential's integrity checks, the one for its proof's suite speaks: the one that
  // ran, or the one that could not (its issuer's DID document not fetched, offline).
  const integrity = w3c
    ? fragments.find((f) => W3C_INTEGRITY.includes(f.name) && f.status !== "SKIPPED")
      || fragments.find((f) => W3C_INTEGRITY.includes(f.name) && /^not checked/.test((f.reason || {}).message))
    : fragments.find((f) => f.name === "OpenAttestationHash");
  const integrityStatus = integrity ? integrity.status : "ERROR";
  return [
    { status: integrityStatus, text: ({
      VALID: "Untampered: it has not been changed since it was issued.",
      INVALID: "Tampered: its contents have been changed since it was issued.",
      SKIPPED: `Whether it has been changed since it was issued was not checked here${why(integrity)}`,
    })[integrityStatus] || `Not a document that can be checked${why(integrity)}` },
    summarise(fragments, w3c ? W3C_STATUS : STATUS_CHECKS, (s, f) => ({
      VALID: "Issued, and not revoked.",
      INVALID: `Not issued, or revoked${why(f)}`,
      ERROR: `Whether it was issued could not be determined${why(f)}`,
      SKIPPED: "Whether it was issued was not checked here.",
    })[s]),
    summarise(fragments, w3c ? W3C_IDENTITY : IDENTITY_CHECKS, (s, f) => ({
      VALID: w3c ? `Issued by ${data.$issuer}: the key that signed it is in that DID's document.`
        : domains.length ? `Issued by ${domains.join(", ")}: confirmed by ${domains.length > 1 ? "their" : "that domain's"} DNS.`
          : "Its issuer's identity is confirmed by DNS.",
      INVALID: `The issuer's identity does not check out${why(f)}`,
      ERROR: `The issuer's identity could not be checked${why(f)}`,
      SKIPPED: "The issuer's identity was not checked here.",
    })[s]),
  ];
};

// The banner: green only when every line is confirmed; red for a definite fault; amber when
// nothing failed but something could not be checked, which must never look like approval.
const banner = (lines, valid) => {
  const [integrity] = lines;
  if (["INVALID", "ERROR"].includes(integrity.status) || lines.some((l) => l.status === "INVALID")) {
    return { look: "invalid", says: integrity.status === "ERROR" ? "This is not a document that can be verified." : "This document is NOT valid." };
  }
  const confirmed = lines.every((l) => l.status === "VALID");
  if (confirmed && valid) return { look: "valid", says: "This document is valid." };
  if (confirmed) return { look: "invalid", says: "This document is NOT valid." };
  if (lines.some((l) => l.status === "ERROR")) {
    return { look: "unconfirmed", says: "Not confirmed: some checks could not be done." };
  }
  return { look: "unconfirmed", says: "No problem found, but not everything could be checked here." };
};

// One verification as a person reads it: the banner, the checks, and the document itself
// only when it is untampered, with who issued it said as confirmed only when DNS confirmed it:
// drawn by its issuer's renderer when it names one the deployment allows (`document` is the
// document as verified; `onHide` hides a field its renderer asks to), else by its template.
export const renderResult = (data, verdict, { heading, document, onHide } = {}) => {
  const fragments = verdict.fragments;
  const domains = vouchingDomains(fragments);
  const lines = checkLines(fragments, domains, data);
  const { look, says } = banner(lines, verdict.valid);
  const intact = lines[0].status === "VALID";
  return el("section", { class: "result" },
    heading ? el("h3", { class: "result-heading" }, heading) : null,
    el("div", { class: `verdict ${look}` }, says),
    el("ul", { class: "checks" },
      lines.map((l) => el("li", { class: l.status }, el("span", { class: "mark" }, MARKS[l.status] || "?"), l.text))),
    intact && isDerivedCopy(fragments) ? derivedNote(data) : null,
    intact ? renderedDocument(document,
      () => renderDocument(data, { issuer: { confirmed: lines[2].status === "VALID", domains } }), { onHide })
      : el("p", { class: "untrusted" }, ({
        INVALID: "Its contents are not shown: they were changed after issue and cannot be trusted.",
        SKIPPED: "Its contents are not shown: whether they were changed after issue could not be checked here.",
      })[lines[0].status] || "Its contents are not shown: it is not a document that can be checked."));
};

// What a selectively disclosed copy says of itself: that it shows only part of what was
// signed, and which of its template's fields it does not show (withheld by its holder, or
// never given by its issuer: a copy cannot tell which).
const derivedNote = (data) => {
  const template = layoutOf(data.$template && data.$template.name, data.$format);
  const absent = template ? [
    ...template.sections.flatMap((s) => s.fields).filter((f) => at(data, f.path) === undefined).map((f) => f.label),
    ...template.tables.filter((t) => at(data, t.path) === undefined).map((t) => t.heading),
  ] : [];
  return el("p", { class: "derived", id: "derived" },
    "A selectively disclosed copy: it shows only part of what its issuer signed. What it withholds cannot be seen here, and was not checked.",
    absent.length ? [" Not in this copy (withheld, or never given): ", el("span", { id: "withheld" }, absent.join(", ")), "."] : null);
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
const HIDDEN = ["issuers", "$template", "$issuer", "$format"]; // said by the checks, or how to render

// Who the document says issued it: confirmed (by the domains whose DNS vouched) or a claim,
// shown apart so that it never reads as confirmed.
const issuedBy = (data, issuer) => {
  const name = ((data.issuers || [])[0] || {}).name || data.$issuer;
  if (issuer && issuer.confirmed && data.$issuer) {
    return el("p", { class: "issued-by confirmed" }, `Issued by ${data.$issuer}, confirmed by its DID document`);
  }
  if (issuer && issuer.confirmed) {
    const by = issuer.domains.join(", ");
    const says = name && by ? `Issued by ${name}, confirmed by ${by}` : `Issued by ${name || by}, confirmed by DNS`;
    return el("p", { class: "issued-by confirmed" }, says);
  }
  if (!name) return null;
  return el("p", { class: "issued-by unconfirmed" }, el("span", { class: "mark" }, "?"),
    `Says it is issued by ${name}: not confirmed`);
};

// The document laid out: by its template when it names a built-in one, and every field no
// template covers in "Other details", so that nothing the issuer wrote goes unseen. `issuer`
// is what verification confirmed of its issuer (nothing, for a preview).
export const renderDocument = (data, { id, heading, issuer } = {}) => {
  const template = layoutOf(data.$template && data.$template.name, data.$format);
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
          const v = item && typeof item === "object" ? at(item, c.path) : undefined;
          if (v === undefined || !isScalar(v)) return el("td", { "data-label": c.label });
          const path = `${table.path}.${i}.${c.path}`;
          shown.add(path);
          return el("td", { "data-path": path, "data-templated": "yes", "data-label": c.label }, shownAs(v));
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
  return el("article", { class: "document", id }, issuedBy(data, issuer), parts);
};
