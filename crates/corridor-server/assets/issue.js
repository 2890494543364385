// The issue page: choose a template, fill in its form (checked as you type), preview, issue
// through POST /api/issue — signed with the server's issuer key and recorded in its store, or,
// for a transferable record (a bill of lading), with its title minted to the first owner and
// holder named — and download the .tt file. An issued form is locked: the same document is
// never issued twice.
import { $, api, at, el, problem, putAt, rememberToken, saveFile } from "./common.js";
import { renderDocument } from "./render.js";
import { TEMPLATES, checkField, inputType, typedValue } from "./templates.js";
import { verifyText } from "./verify.js";

let issuer = null; // {name, did, verificationMethod, address, domain, documentIssuer, titleRegistries} from GET /api/issuer
let rows = {}; // table path -> number of rows in the form
let issued = false; // the form's document was issued: nothing more to issue from it

// The chain id under which `corridor serve` answers for its embedded title registries
// (corridor_ledger::EMBEDDED_CHAIN_ID), which DNS-TXT records name as netId.
const EMBEDDED_CHAIN_ID = 4411218;
const ACCOUNT = /^0x[0-9a-fA-F]{40}$/;

const fieldId = (path) => `f-${path.replace(/[^A-Za-z0-9]/g, "-")}`;

const fieldInput = (field, path) => {
  const id = fieldId(path);
  const input = el("input", { id, name: path, type: inputType(field.kind), "aria-describedby": `${id}-problem`,
    "data-required": field.required ? "true" : undefined, readonly: field.computed ? true : undefined });
  return el("div", { class: "field" }, el("label", { for: id }, field.label, field.required ? " *" : ""), input,
    el("span", { class: "problem", id: `${id}-problem` }));
};

const buildForm = () => {
  const template = TEMPLATES[$("template").value];
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
  const template = TEMPLATES[$("template").value];
  const all = template.sections.flatMap((s) => s.fields.map((f) => [f, f.path]));
  template.tables.forEach((t) => {
    for (let i = 0; i < (rows[t.path] || 1); i += 1) t.columns.forEach((c) => all.push([c, `${t.path}.${i}.${c.path}`]));
  });
  return all;
};

// The raw document the form describes (its computed fields filled in), or null with the
// problems shown next to their fields.
const check = () => {
  const template = TEMPLATES[$("template").value];
  const data = { $template: { name: $("template").value, type: "EMBEDDED_RENDERER", url: location.origin } };
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
  template.sections.flatMap((s) => s.fields).filter((f) => f.computed).forEach((f) => {
    const v = f.computed(data);
    $(fieldId(f.path)).value = String(v);
    putAt(data, f.path, v);
  });
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
  $("issue-problems").textContent = problems ? `${problems} field${problems > 1 ? "s" : ""} to fill in or correct` : "";
  $("preview").disabled = problems > 0;
  $("do-issue").disabled = problems > 0 || !issuer || issued;
  if (problems) return null;
  const block = issuerBlock(template);
  if (block) data.issuers = [block];
  return data;
};

// The issuer block the server puts in what it issues (it refuses any other): for signed
// documents its DID, responder and domain; for transferable records the registry chosen.
const issuerBlock = (template) => {
  if (!issuer) return null;
  if (!template.transferable) return issuer.documentIssuer;
  const registry = issuer.titleRegistries.find((r) => r.address === $("issue-registry").value);
  return registry ? registry.documentIssuer : null;
};

// The record the issuer's domain must publish for verifiers to confirm the issuer.
const dnsRecord = (block) => (block.tokenRegistry
  ? `openatts net=ethereum netId=${EMBEDDED_CHAIN_ID} addr=${block.tokenRegistry}`
  : `openatts a=dns-did; p=${block.identityProof.key}; v=1.0;`);

const preview = () => {
  const data = check();
  if (!data) return;
  $("issue-preview").replaceChildren(el("p", { class: "note", id: "preview-note" }, "Preview: not issued yet."),
    renderDocument(data, { id: "preview-document" }));
};

const issue = async () => {
  const data = check();
  if (!data) return;
  const template = TEMPLATES[$("template").value];
  $("do-issue").disabled = true;
  $("issue-fields").disabled = true;
  $("issue-result").replaceChildren(el("p", {}, "Issuing…"));
  const body = { documents: [data] };
  if (template.transferable) {
    const holder = $("issue-holder").value.trim();
    body.title = { beneficiary: $("issue-owner").value.trim(), registry: data.issuers[0].tokenRegistry, ...(holder ? { holder } : {}) };
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
  showIssued(template, data, answer);
};

// What was issued: the file to download, its title or batch, and the DNS record that lets
// verifiers confirm its issuer.
const showIssued = (template, data, answer) => {
  const [document] = answer.documents;
  const file = `${String(at(data, template.number)).replace(/[^A-Za-z0-9._-]+/g, "_")}.tt`;
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const download = el("button", { type: "button", id: "download" }, `Download ${file}`);
  download.addEventListener("click", () => saveFile(file, text));
  const verify = el("button", { type: "button", id: "verify-issued" }, "Verify it");
  verify.addEventListener("click", () => { history.pushState({}, "", "/"); show("verify"); verifyText(text, file); });
  const another = el("button", { type: "button", id: "issue-another" }, "Issue another");
  another.addEventListener("click", startAnother);
  const title = answer.titles && answer.titles[0];
  const [block] = data.issuers;
  $("issue-result").replaceChildren(
    el("p", { class: "done", id: "issued" }, `Issued: ${template.title} ${at(data, template.number)}.`),
    title ? el("p", { id: "issued-title" }, "Its title is minted: owner ", el("code", {}, title.beneficiary),
      ", holder ", el("code", {}, title.holder), ". ",
      el("a", { id: "open-title", href: `/titles?registry=${title.registry}&token=${title.token}` }, "Open its title"))
      : el("p", { id: "issued-batch" }, "Batch ", el("code", {}, answer.merkleRoot), ", recorded as issued."),
    el("p", { class: "note" }, `For verifiers to confirm the issuer, the DNS of ${block.identityProof.location} must hold this TXT record:`),
    el("pre", { class: "record", id: "dns-record" }, dnsRecord(block)),
    download, " ", verify, " ", another);
};

// A new document from the issued one's form: the same details but its number, which must
// be new.
const startAnother = () => {
  issued = false;
  $("issue-fields").disabled = false;
  const number = $(fieldId(TEMPLATES[$("template").value].number));
  number.value = "";
  number.dataset.touched = "yes";
  $("issue-result").replaceChildren();
  $("issue-preview").replaceChildren();
  check();
  number.focus();
};

let show = () => {};

export const start = async (showPage) => {
  show = showPage;
  $("template").replaceChildren(...Object.entries(TEMPLATES).map(([name, t]) => el("option", { value: name }, t.title)));
  $("template").addEventListener("change", () => { rows = {}; buildForm(); $("issue-preview").replaceChildren(); });
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
    $("issuer-state").replaceChildren("Documents are signed by this server's issuer key (", el("code", {}, answer.did),
      ") and recorded in its store; the titles of bills of lading are minted by the same key.");
    $("issuer-shown").replaceChildren("Shown as ", el("strong", { id: "issuer-shown-name" }, answer.documentIssuer.name),
      ", vouched for by the DNS of ", el("code", { id: "issuer-shown-domain" }, answer.domain),
      ". The server sets this on every document it issues.");
    $("issue-registry").replaceChildren(...answer.titleRegistries.map((r) => el("option", { value: r.address }, `${r.name} (${r.address})`)));
  } else {
    $("issuer-state").textContent = `This server does not issue: ${problem(answer)}. You can still fill in and preview a document.`;
  }
  check();
};
