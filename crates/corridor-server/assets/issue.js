// The issue page: choose a format and a template, fill in its form (checked as you type),
// preview, issue through POST /api/issue — signed with the server's issuer key and recorded in
// its store, or, for a transferable record (a bill of lading, a warehouse receipt, a promissory
// note), with its title minted to the first owner and holder named — and download the file: a
// TradeTrust document (OpenAttestation v2, .tt), or a W3C Verifiable Credential signed by the
// server's did:web key with an entry of its status list. An issued form is locked: the same
// document is never issued twice.
import { $, api, at, el, problem, putAt, rememberToken, saveFile } from "./common.js";
import { renderDocument } from "./render.js";
import { TEMPLATES, checkField, inputType, layoutOf, typedValue } from "./templates.js";
import { dataOf, verifyText } from "./verify.js";

// GET /api/issuer: the OpenAttestation issuer ({name, did, verificationMethod, address, domain,
// documentIssuer, titleRegistries}, absent without one) and `w3c` ({did, verificationMethod,
// cryptosuite, statusList, statusPurpose}, or null).
let issuer = null;
let rows = {}; // table path -> number of rows in the form
let issued = false; // the form's document was issued: nothing more to issue from it

// The chain id under which `corridor serve` answers for its embedded title registries
// (corridor_ledger::EMBEDDED_CHAIN_ID), which DNS-TXT records name as netId.
const EMBEDDED_CHAIN_ID = 4411218;
const ACCOUNT = /^0x[0-9a-fA-F]{40}$/;
// What a W3C credential's @context starts with, and the renderer TrustVC's documents name:
// TradeTrust's generic templates, which lay out TrustVC's vocabulary as the built-in ones do.
const W3C_CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2"];
const RENDER_METHOD_CONTEXT = "https://trustvc.io/context/render-method-context-v2.json";
const GENERIC_TEMPLATES = "https://generic-templates.tradetrust.io";

const isW3c = () => $("issue-format").value === "w3c";
// The form's layout: the chosen template, in the chosen format's vocabulary.
const layout = () => {
  const template = TEMPLATES[$("template").value];
  return isW3c() ? layoutOf(template.w3c.templateName, "w3c") : template;
};
// Whether the server issues in the chosen format.
const issues = () => Boolean(issuer && (isW3c() ? issuer.w3c : issuer.did));

const fieldId = (path) => `f-${path.replace(/[^A-Za-z0-9]/g, "-")}`;

const fieldInput = (field, path) => {
  const id = fieldId(path);
  const input = el("input", { id, name: path, type: inputType(field.kind), "aria-describedby": `${id}-problem`,
    "data-required": field.required ? "true" : undefined, readonly: field.computed ? true : undefined });
  return el("div", { class: "field" }, el("label", { for: id }, field.label, field.required ? " *" : ""), input,
    el("span", { class: "problem", id: `${id}-problem` }));
};

const buildForm = () => {
  const template = layout();
  const form = $("issue-form");
  form.replaceChildren();
  template.sections.forEach((section) => {
    form.append(el("fieldset", {}, el("legend", {}, section.heading), section.fields.map((f) => fieldInput(f, f.path))));
  });
  template.tables.forEach((table) => {
    const count = rows[table.path] || 1;
    const set = el("fieldset", { class: "rows" }, el("legend", {}, table.heading));
    for (let i = 0; i < count; i += 1) {
      set.append(el("div", { class: "row" }, table.columns.map((c) => fieldInput(c, `${table.path}.${i}.${c.path}`))));
    }
    const add = el("button", { type: "button", id: `add-${table.path}` }, `Add a line to ${table.heading.toLowerCase()}`);
    add.addEventListener("click", () => { rows[table.path] = count + 1; keep(buildForm); });
    set.append(add);
    form.append(set);
  });
  check();
};

// Rebuilding the form keeps what was typed.
const keep = (rebuild) => {
  const values = Object.fromEntries([...$("issue-form").elements].filter((e) => e.name)
    .map((e) => [e.name, e.type === "checkbox" ? e.checked : e.value]));
  rebuild();
  [...$("issue-form").elements].filter((e) => e.name in values).forEach((e) => {
    if (e.type === "checkbox") e.checked = values[e.name]; else e.value = values[e.name];
  });
  check();
};

// Every field of the form with its definition and path.
const fields = () => {
  const template = layout();
  const all = template.sections.flatMap((s) => s.fields.map((f) => [f, f.path]));
  template.tables.forEach((t) => {
    for (let i = 0; i < (rows[t.path] || 1); i += 1) t.columns.forEach((c) => all.push([c, `${t.path}.${i}.${c.path}`]));
  });
  return all;
};

// A computed field's value shown and put in `data`, when it can be worked out.
const compute = (data, path, value) => {
  const known = typeof value === "number" && Number.isFinite(value);
  $(fieldId(path)).value = known ? String(value) : "";
  if (known) putAt(data, path, value);
};

// The document the form describes (its computed fields filled in) — a raw OpenAttestation
// document, or a W3C credential without its proof — or null with the problems shown next to
// their fields.
const check = () => {
  const template = layout();
  const w3c = isW3c();
  const data = w3c ? {} : { $template: { name: $("template").value, type: "EMBEDDED_RENDERER", url: location.origin } };
  let problems = 0;
  fields().forEach(([field, path]) => {
    const input = $(fieldId(path));
    if (field.computed) return;
    const raw = input.type === "checkbox" ? input.checked : input.value;
    const trouble = checkField(field, raw);
    const touched = input.dataset.touched === "yes";
    $(`${input.id}-problem`).textContent = trouble && touched ? trouble : "";
    input.setAttribute("aria-invalid", trouble ? "true" : "false");
    if (trouble) problems += 1;
    else if (field.kind === "yesno" || String(raw).trim()) putAt(data, path, typedValue(field, raw));
  });
  // A line's computed columns first: the totals add them up.
  template.tables.forEach((t) => {
    for (let i = 0; i < (rows[t.path] || 1); i += 1) {
      t.columns.filter((c) => c.computed).forEach((c) => compute(data, `${t.path}.${i}.${c.path}`, c.computed(at(data, `${t.path}.${i}`) || {})));
    }
  });
  template.sections.flatMap((s) => s.fields).filter((f) => f.computed).forEach((f) => compute(data, f.path, f.computed(data)));
  const owner = $("issue-owner").value.trim();
  const holder = $("issue-holder").value.trim();
  $("first-title").hidden = !template.transferable;
  const issuerProblems = template.transferable ? [
    ["issue-owner", ACCOUNT.test(owner) ? null : "an account: 0x and 40 hex digits"],
    ["issue-holder", !holder || ACCOUNT.test(holder) ? null : "an account: 0x and 40 hex digits, or nothing"],
  ] : [];
  issuerProblems.forEach(([id, trouble]) => {
    $(`${id}-problem`).textContent = trouble && $(id).dataset.touched === "yes" ? trouble : "";
    if (trouble) problems += 1;
  });
  // Titles are minted by the server's OpenAttestation issuer key, whatever the format.
  const noMinter = template.transferable && issuer && !issuer.titleRegistries;
  $("issue-problems").textContent = [
    problems ? `${problems} field${problems > 1 ? "s" : ""} to fill in or correct` : "",
    noMinter ? "This server cannot mint titles: it holds no issuer key (`corridor serve --key`)." : "",
  ].filter(Boolean).join(" ");
  $("preview").disabled = problems > 0;
  $("do-issue").disabled = problems > 0 || !issues() || noMinter || issued;
  if (problems) return null;
  if (w3c) return credential(template, data);
  const block = issuerBlock(template);
  if (block) data.issuers = [block];
  return data;
};

// The W3C credential of a form's claims, in TrustVC's shape: its kind's context, its issuer the
// server's DID, and the template named as TrustVC's documents name it.
const credential = (template, claims) => ({
  "@context": [...W3C_CONTEXTS, template.context, RENDER_METHOD_CONTEXT],
  type: ["VerifiableCredential"],
  ...(issuer && issuer.w3c ? { issuer: issuer.w3c.did } : {}),
  credentialSubject: { type: [template.type], ...claims },
  renderMethod: [{ id: GENERIC_TEMPLATES, type: "EMBEDDED_RENDERER", templateName: template.templateName }],
});

// The issuer block the server puts in what it issues (it refuses any other): for signed
// documents its DID, responder and domain; for transferable records the registry chosen.
const issuerBlock = (template) => {
  if (!issuer || !issuer.did) return null;
  if (!template.transferable) return issuer.documentIssuer;
  const registry = issuer.titleRegistries.find((r) => r.address === $("issue-registry").value);
  return registry ? registry.documentIssuer : null;
};

// The record the issuer's domain must publish for verifiers to confirm the issuer.
const dnsRecord = (block) => (block.tokenRegistry
  ? `openatts net=ethereum netId=${EMBEDDED_CHAIN_ID} addr=${block.tokenRegistry}`
  : `openatts a=dns-did; p=${block.identityProof.key}; v=1.0;`);

// Where verifiers fetch a did:web DID's document: did:web:HOST from
// https://HOST/.well-known/did.json, did:web:HOST:A:B from https://HOST/A/B/did.json.
const didDocumentUrl = (did) => {
  const [host, ...path] = did.slice("did:web:".length).split(":").map(decodeURIComponent);
  return `https://${host}/${path.length ? `${path.join("/")}/did.json` : ".well-known/did.json"}`;
};

// What a document shows: a raw document's data, a credential's claims.
const shownData = (document) => (isW3c() ? dataOf(document) : document);

const preview = () => {
  const document = check();
  if (!document) return;
  $("issue-preview").replaceChildren(el("p", { class: "note", id: "preview-note" }, "Preview: not issued yet."),
    renderDocument(shownData(document), { id: "preview-document" }));
};

const issue = async () => {
  const document = check();
  if (!document) return;
  const template = layout();
  const w3c = isW3c();
  $("do-issue").disabled = true;
  $("issue-fields").disabled = true;
  $("issue-result").replaceChildren(el("p", {}, "Issuing…"));
  // A credential is valid from when it is issued, to the second as TrustVC writes dates.
  if (w3c) document.validFrom = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const body = { ...(w3c ? { format: "w3c" } : {}), documents: [document], ...($("issue-link").checked ? { link: true } : {}) };
  if (template.transferable) {
    const holder = $("issue-holder").value.trim();
    body.title = { beneficiary: $("issue-owner").value.trim(), registry: $("issue-registry").value, ...(holder ? { holder } : {}) };
  }
  const { ok, answer } = await api("POST", "/api/issue", body, $("issue-token").value.trim());
  if (!ok) {
    $("issue-fields").disabled = false;
    check();
    $("issue-result").replaceChildren(el("p", { class: "error", id: "issue-error" }, `Not issued: ${problem(answer)}`));
    return;
  }
  issued = true;
  check();
  showIssued(template, document, answer);
};

// What was issued (`sent` as the form made it): the file to download, its title, batch or
// status entry, and what lets verifiers confirm its issuer (a DNS record, or where the DID
// document must be).
const showIssued = (template, sent, answer) => {
  const [document] = answer.documents;
  const w3c = isW3c();
  const number = at(w3c ? sent.credentialSubject : sent, template.number);
  const file = `${String(number).replace(/[^A-Za-z0-9._-]+/g, "_")}.${w3c ? "json" : "tt"}`;
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const download = el("button", { type: "button", id: "download" }, `Download ${file}`);
  download.addEventListener("click", () => saveFile(file, text));
  const verify = el("button", { type: "button", id: "verify-issued" }, "Verify it");
  verify.addEventListener("click", () => { history.pushState({}, "", "/"); show("verify"); verifyText(text, file); });
  const another = el("button", { type: "button", id: "issue-another" }, "Issue another");
  another.addEventListener("click", startAnother);
  const title = answer.titles && answer.titles[0];
  const status = document.credentialStatus;
  const record = title ? el("p", { id: "issued-title" }, "Its title is minted: owner ", el("code", {}, title.beneficiary),
    ", holder ", el("code", {}, title.holder), ". ",
    el("a", { id: "open-title", href: `/titles?registry=${title.registry}&token=${title.token}` }, "Open its title"))
    : w3c ? el("p", { id: "issued-status" }, `Entry ${status.statusListIndex} of the ${status.statusPurpose} list `,
      el("code", {}, status.statusListCredential), ", which this server publishes: ",
      status.statusPurpose === "revocation" ? "revoking it (POST /api/revoke, or corridor revoke)"
        : "suspending it (corridor status-list suspend)", " sets that entry.")
      : el("p", { id: "issued-batch" }, "Batch ", el("code", {}, answer.merkleRoot), ", recorded as issued.");
  const confirm = w3c
    ? [el("p", { class: "note" }, `Verifiers find the key that signed it in the DID document of ${document.issuer}, which must be served at:`),
      el("pre", { class: "record", id: "did-location" }, didDocumentUrl(document.issuer))]
    : [el("p", { class: "note" }, `For verifiers to confirm the issuer, the DNS of ${sent.issuers[0].identityProof.location} must hold this TXT record:`),
      el("pre", { class: "record", id: "dns-record" }, dnsRecord(sent.issuers[0]))];
  $("issue-result").replaceChildren(
    el("p", { class: "done", id: "issued" }, `Issued: ${template.title} ${number}.`), record, ...confirm,
    download, " ", verify, " ", another);
};

// A new document from the issued one's form: the same details but its number, which must
// be new.
const startAnother = () => {
  issued = false;
  $("issue-fields").disabled = false;
  const number = $(fieldId(layout().number));
  number.value = "";
  number.dataset.touched = "yes";
  $("issue-result").replaceChildren();
  $("issue-preview").replaceChildren();
  check();
  number.focus();
};

// Who issues in the chosen format, said above the form and in its "Issued by" part.
const describeIssuer = () => {
  if (!issuer) return;
  if (isW3c()) {
    const w3c = issuer.w3c;
    $("issuer-state").replaceChildren(...(w3c
      ? ["W3C credentials are signed by this server's ", w3c.cryptosuite, " key (", el("code", {}, w3c.verificationMethod),
        ") and given an entry of its ", w3c.statusPurpose, " list",
        issuer.titleRegistries ? "; the titles of bills of lading are minted by its issuer key." : "."]
      : ["This server does not issue W3C credentials: it holds no W3C key (corridor serve --w3c-key). You can still fill in and preview one."]));
    $("issuer-shown").replaceChildren(...(w3c
      ? ["Issued by ", el("code", { id: "issuer-shown-did" }, w3c.did), ". The server sets this on every credential it issues."]
      : []));
    return;
  }
  if (!issuer.did) {
    $("issuer-state").textContent = "This server does not issue TradeTrust documents: it holds no issuer key (corridor serve --key). You can still fill in and preview one.";
    $("issuer-shown").replaceChildren();
    return;
  }
  $("issuer-state").replaceChildren("Documents are signed by this server's issuer key (", el("code", {}, issuer.did),
    ") and recorded in its store; the titles of bills of lading are minted by the same key.");
  $("issuer-shown").replaceChildren("Shown as ", el("strong", { id: "issuer-shown-name" }, issuer.documentIssuer.name),
    ", vouched for by the DNS of ", el("code", { id: "issuer-shown-domain" }, issuer.domain),
    ". The server sets this on every document it issues.");
};

let show = () => {};

export const start = async (showPage) => {
  show = showPage;
  $("template").replaceChildren(...Object.entries(TEMPLATES).map(([name, t]) => el("option", { value: name }, t.title)));
  const restart = () => { rows = {}; buildForm(); $("issue-preview").replaceChildren(); };
  $("template").addEventListener("change", restart);
  $("issue-format").addEventListener("change", () => { restart(); describeIssuer(); });
  const touch = (e) => { if (e.target.dataset) e.target.dataset.touched = "yes"; check(); };
  ["input", "change"].forEach((t) => {
    $("issue-form").addEventListener(t, touch);
    ["issue-owner", "issue-holder", "issue-registry"].forEach((id) => $(id).addEventListener(t, touch));
  });
  rememberToken($("issue-token"));
  $("preview").addEventListener("click", preview);
  $("do-issue").addEventListener("click", issue);
  buildForm();
  const { ok, answer } = await api("GET", "/api/issuer");
  if (ok) {
    issuer = answer;
    // A server that issues only W3C credentials starts on that format.
    if (!issuer.did && issuer.w3c) { $("issue-format").value = "w3c"; restart(); }
    $("issue-registry").replaceChildren(...(answer.titleRegistries || []).map((r) => el("option", { value: r.address }, `${r.name} (${r.address})`)));
    describeIssuer();
  } else {
    $("issuer-state").textContent = `This server does not issue: ${problem(answer)}. You can still fill in and preview a document.`;
  }
  check();
};
