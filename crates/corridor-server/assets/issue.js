// The issue page: choose a template, fill in its form (checked as you type), preview, issue
// through POST /api/issue (signed with the server's issuer key and recorded in its store), and
// download the .tt file.
import { $, api, at, el, problem, putAt, rememberToken, saveFile } from "./common.js";
import { renderDocument } from "./render.js";
import { TEMPLATES, checkField, inputType, typedValue } from "./templates.js";
import { verifyText } from "./verify.js";

let issuer = null; // {name, did, verificationMethod} from GET /api/issuer
let rows = {}; // table path -> number of rows in the form

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
  const name = $("issuer-name").value.trim();
  const domain = $("issuer-domain").value.trim().toLowerCase();
  const nameProblem = name ? null : "required";
  const domainProblem = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain) ? null
    : "a domain name, as issuer.example.com";
  $("issuer-name-problem").textContent = nameProblem && $("issuer-name").dataset.touched === "yes" ? nameProblem : "";
  $("issuer-domain-problem").textContent = domainProblem && $("issuer-domain").dataset.touched === "yes" ? domainProblem : "";
  problems += (nameProblem ? 1 : 0) + (domainProblem ? 1 : 0);
  $("issue-problems").textContent = problems ? `${problems} field${problems > 1 ? "s" : ""} to fill in or correct` : "";
  $("preview").disabled = problems > 0;
  $("do-issue").disabled = problems > 0 || !issuer;
  if (problems) return null;
  data.issuers = [issuerBlock(name, domain)];
  return data;
};

// The issuer as documents name it: the server's DID, revocable at its responder, vouched for
// by the domain's DNS-DID record.
const issuerBlock = (name, domain) => ({
  id: issuer ? issuer.did : "did:ethr:0x0000000000000000000000000000000000000000",
  name,
  revocation: { type: "OCSP_RESPONDER", location: `${location.origin}/ocsp/${issuer ? issuer.name : ""}` },
  identityProof: { type: "DNS-DID", location: domain, key: issuer ? issuer.verificationMethod : "" },
});

const preview = () => {
  const data = check();
  if (!data) return;
  $("issue-preview").replaceChildren(el("p", { class: "note", id: "preview-note" }, "Preview: not issued yet."),
    renderDocument(data, { id: "preview-document" }));
};

const issue = async () => {
  const data = check();
  if (!data) return;
  const button = $("do-issue");
  button.disabled = true;
  $("issue-result").replaceChildren(el("p", {}, "Issuing…"));
  const { ok, answer } = await api("POST", "/api/issue", { documents: [data] }, $("issue-token").value.trim());
  button.disabled = false;
  if (!ok) {
    $("issue-result").replaceChildren(el("p", { class: "error", id: "issue-error" }, `Not issued: ${problem(answer)}`));
    return;
  }
  const [document] = answer.documents;
  const template = TEMPLATES[$("template").value];
  const file = `${String(at(data, template.number)).replace(/[^A-Za-z0-9._-]+/g, "_")}.tt`;
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const download = el("button", { type: "button", id: "download" }, `Download ${file}`);
  download.addEventListener("click", () => saveFile(file, text));
  const verify = el("button", { type: "button", id: "verify-issued" }, "Verify it");
  verify.addEventListener("click", () => { history.pushState({}, "", "/"); show("verify"); verifyText(text, file); });
  $("issue-result").replaceChildren(el("p", { class: "done", id: "issued" },
    `Issued: ${template.title} ${at(data, template.number)}, batch ${answer.merkleRoot}.`), download, " ", verify);
};

let show = () => {};

export const start = async (showPage) => {
  show = showPage;
  $("template").replaceChildren(...Object.entries(TEMPLATES).map(([name, t]) => el("option", { value: name }, t.title)));
  $("template").addEventListener("change", () => { rows = {}; buildForm(); $("issue-preview").replaceChildren(); });
  const touch = (e) => { if (e.target.dataset) e.target.dataset.touched = "yes"; check(); };
  ["input", "change"].forEach((t) => {
    $("issue-form").addEventListener(t, touch);
    $("issuer-name").addEventListener(t, touch);
    $("issuer-domain").addEventListener(t, touch);
  });
  $("issuer-domain").value = localStorage.getItem("corridor-issuer-domain") || "";
  $("issuer-domain").addEventListener("change", () => localStorage.setItem("corridor-issuer-domain", $("issuer-domain").value.trim()));
  rememberToken($("issue-token"));
  $("preview").addEventListener("click", preview);
  $("do-issue").addEventListener("click", issue);
  buildForm();
  const { ok, answer } = await api("GET", "/api/issuer");
  if (ok) {
    issuer = answer;
    $("issuer-state").textContent = `Documents are signed by this server's issuer key (${answer.did}) and recorded in its store.`;
  } else {
    $("issuer-state").textContent = `This server does not issue: ${problem(answer)}. You can still fill in and preview a document.`;
  }
  check();
};
