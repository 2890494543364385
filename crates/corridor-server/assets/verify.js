// The verify page: a document — dropped, chosen, pasted, or opened from a share link — goes
// to POST /api/verify; the answer is shown in plain language, and the document itself only
// when it is untampered.
import { readAction } from "./actions.js";
import { $, api, el, problem, saveFile, unsalt } from "./common.js";
import { decrypt, keyOf } from "./envelope.js";
import { renderResult } from "./render.js";
import { hideField } from "./renderer.js";
import { templateNameOfTypes } from "./templates.js";

// A message in place of a result; `id="error"` marks a file that could not be verified.
const say = (text, cls = "") => {
  $("result").replaceChildren(el("p", { class: cls, id: cls || undefined }, text));
  $("result").dataset.state = cls === "error" ? "done" : "checking";
};
const done = (...results) => {
  $("result").replaceChildren(...results);
  $("result").dataset.state = "done";
};

const isObject = (v) => Boolean(v) && typeof v === "object" && !Array.isArray(v);
// What a document says, to lay out: a wrapped document's data as its issuer wrote it (salts
// removed); a W3C credential's subject, by the template its renderMethod names (or, without
// one, its subject's type), with its issuer.
export const dataOf = (document) => {
  if (!isObject(document)) return {};
  if (document.version === OA_V3) return openAttestation3Data(document);
  if ("@context" in document) return credentialData(document);
  return isObject(document.data) ? unsalt(document.data) : {};
};
const credentialData = (credential) => {
  const subject = [].concat(credential.credentialSubject ?? [])[0];
  const { type, ...claims } = isObject(subject) ? subject : {};
  const render = [].concat(credential.renderMethod ?? [])[0];
  const template = isObject(render) && render.templateName ? render.templateName : templateNameOfTypes(type);
  const issuer = isObject(credential.issuer) ? credential.issuer.id : credential.issuer;
  return {
    ...claims,
    $format: "w3c",
    ...(typeof template === "string" ? { $template: { name: template } } : {}),
    ...(typeof issuer === "string" ? { $issuer: issuer } : {}),
  };
};
// An OpenAttestation v3 document reads as a v2 one: its subject's claims, its issuer's name,
// the template its metadata names.
const OA_V3 = "https://schema.openattestation.com/3.0/schema.json";
const openAttestation3Data = (document) => {
  const subject = [].concat(document.credentialSubject ?? [])[0];
  const { type, ...claims } = isObject(subject) ? subject : {};
  const metadata = isObject(document.openAttestationMetadata) ? document.openAttestationMetadata : {};
  const template = isObject(metadata.template) ? metadata.template.name : undefined;
  const issuer = isObject(document.issuer) ? document.issuer.name : undefined;
  return {
    ...claims,
    ...(typeof issuer === "string" ? { issuers: [{ name: issuer }] } : {}),
    ...(typeof template === "string" ? { $template: { name: template } } : {}),
  };
};
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Verifies `text` (what a file, a paste, an example or a share link held) and shows the
// result; `source` names it in messages ("bl.tt", "The pasted text"). `hidden` lists the
// fields hidden so far at its renderer's request, of a copy made here.
export const verifyText = async (text, source, hidden = []) => {
  // A TradeTrust action link (pasted, or read from a QR code) opens the document it names.
  const trimmed = text.trim();
  if (/^https?:\/\/\S+$/.test(trimmed)) {
    await openAction(trimmed);
    return;
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    say(`${source} is not a document: it is not JSON.`, "error");
    return;
  }
  if (Array.isArray(parsed)) {
    await verifyMany(text, parsed, source);
    return;
  }
  if (!isObject(parsed)) {
    say(`${source} is not a document: it holds a JSON ${parsed === null ? "null" : typeof parsed}, not a document.`, "error");
    return;
  }
  say("Checking…");
  const { ok, answer } = await api("POST", "/api/verify", text);
  if (!ok) {
    say(`${source}: ${problem(answer)}`, "error");
    return;
  }
  // A renderer's request to hide a field makes a copy without it, verified and shown anew.
  const onHide = async (path) => {
    const copy = await hideField(parsed, path);
    if (copy.problem) return copy.problem;
    await verifyText(JSON.stringify(copy.document), source, [...hidden, path]);
    return null;
  };
  const result = renderResult(dataOf(parsed), answer, { document: parsed, onHide });
  if (hidden.length) result.prepend(hiddenCopy(text, hidden));
  done(result);
};

// What a copy made by hiding fields says of itself, and the file to take away.
const hiddenCopy = (text, hidden) => {
  const download = el("button", { type: "button", id: "download-hidden" }, "Download this copy");
  download.addEventListener("click", () => saveFile("obfuscated.tt", text));
  return el("p", { class: "hidden-copy", id: "hidden-copy" },
    `A copy without ${hidden.join(", ")}, made here at its renderer's request, and checked below as any document is. `, download);
};

// A file holding a list: each of its documents verified (one request, the API's many-documents
// form), each result under its place in the list; an item that is not a document says so.
const verifyMany = async (text, documents, source) => {
  if (!documents.length) {
    say(`${source} holds an empty list: there is no document in it to verify.`, "error");
    return;
  }
  say(`Checking ${plural(documents.length, "document")}…`);
  const { ok, answer } = await api("POST", "/api/verify", text);
  if (!ok || !Array.isArray(answer) || answer.length !== documents.length) {
    say(`${source}: ${ok ? "the server's answer does not fit the list" : problem(answer)}`, "error");
    return;
  }
  const results = answer.map((result, i) => {
    const place = `${i + 1} of ${documents.length}`;
    if (!result.error) return renderResult(dataOf(documents[i]), result, { heading: `Document ${place}`, document: documents[i] });
    return el("section", { class: "result" }, el("h3", { class: "result-heading" }, `Item ${place}`),
      el("p", { class: "error item-error" }, result.error.message));
  });
  const count = (selector) => results.filter((r) => r.querySelector(selector)).length;
  const tally = [[".verdict.valid", "valid"], [".verdict.invalid", "not valid"],
    [".verdict.unconfirmed", "not fully checked"], [".item-error", "not a document"]]
    .map(([selector, says]) => [count(selector), says]).filter(([n]) => n).map(([n, says]) => `${n} ${says}`);
  done(el("p", { class: "many", id: "many" },
    `${source} holds a list of ${plural(documents.length, "document")}: ${tally.join(", ")}.`), ...results);
};

// A shared document: its envelope from the server, its key from the link's fragment.
const openShared = async (id, keyHex) => {
  const key = keyOf(keyHex);
  if (!key) {
    say("This share link is incomplete: its key (after #) is missing or cut short.", "error");
    return;
  }
  say("Opening the shared document…");
  const { ok, answer } = await api("GET", `/api/shares/${encodeURIComponent(id)}`);
  if (!ok) {
    say(`The shared document cannot be opened: ${problem(answer)}`, "error");
    return;
  }
  await openSealed(answer, key, "The shared document");
};

// An encrypted document (`envelope`) opened with `key` and verified; `what` names it.
const openSealed = async (envelope, key, what) => {
  let text;
  try {
    text = await decrypt(envelope, key);
  } catch (e) {
    say(`${what} cannot be opened: the key does not fit it, or it was altered.`, "error");
    return;
  }
  await verifyText(text, what);
};

// A TradeTrust action link (`url`): the document it names, fetched — by this server when it is
// kept elsewhere, since the page may reach only this server — opened with the link's key when
// it is encrypted, and verified.
const openAction = async (url) => {
  let action;
  try {
    action = readAction(url);
  } catch (e) {
    say(`This link cannot be opened: ${e.message}.`, "error");
    return;
  }
  say("Fetching the document the link names…");
  let here;
  try {
    here = new URL(action.uri).origin === location.origin;
  } catch (e) {
    say("This link cannot be opened: the document it names is not at a URL.", "error");
    return;
  }
  const fetched = here
    ? await api("GET", new URL(action.uri).pathname)
    : await api("POST", "/api/documents/fetch", { uri: action.uri });
  if (!fetched.ok) {
    say(`The document the link names cannot be fetched: ${problem(fetched.answer)}`, "error");
    return;
  }
  const body = here ? fetched.answer : fetched.answer.document;
  // TradeTrust's storage keeps a document under `document`.
  const found = isObject(body) && isObject(body.document) ? body.document : body;
  if (!isObject(found) || found.type !== "OPEN-ATTESTATION-TYPE-1") {
    await verifyText(JSON.stringify(found), "The linked document");
    return;
  }
  const key = keyOf(action.key);
  if (!key) {
    say("The document the link names is encrypted, and the link carries no key for it, or a cut one.", "error");
    return;
  }
  await openSealed(found, key, "The linked document");
};

export const start = () => {
  const drop = $("drop");
  $("file").addEventListener("change", async (e) => {
    const [file] = e.target.files;
    if (file) await verifyText(await file.text(), file.name);
  });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    const [file] = e.dataTransfer.files;
    if (file) await verifyText(await file.text(), file.name);
  });
  $("check").addEventListener("click", () => verifyText($("paste").value, "The pasted text"));
  const shared = /^\/s\/([^/]+)$/.exec(location.pathname);
  if (shared) openShared(decodeURIComponent(shared[1]), location.hash.slice(1));
  else if (new URLSearchParams(location.search).has("q")) openAction(location.href);
  showExamples();
};

// The example documents the server offers, one click to verify each.
const showExamples = async () => {
  const { ok, answer } = await api("GET", "/api/examples");
  if (!ok || !Array.isArray(answer.examples) || !answer.examples.length) return;
  $("example-list").replaceChildren(...answer.examples.map((example) => {
    const button = el("button", { type: "button", class: "link", "data-example": example.name }, example.title);
    button.addEventListener("click", () => verifyText(JSON.stringify(example.document), example.title));
    return button;
  }));
  $("examples").hidden = false;
};
