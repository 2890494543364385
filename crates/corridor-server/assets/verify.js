// The verify page: a document — dropped, chosen, pasted, or opened from a share link — goes
// to POST /api/verify; the answer is shown in plain language, and the document itself only
// when it is untampered.
import { $, api, el, fromHex, problem, unsalt } from "./common.js";
import { renderDocument, renderVerdict } from "./render.js";

const say = (text, cls = "") => $("result").replaceChildren(el("p", { class: cls, id: cls || undefined }, text));

export const verifyText = async (text) => {
  let documentJson;
  try {
    documentJson = JSON.parse(text);
  } catch (e) {
    say("This is not a document: it is not JSON.", "error");
    return;
  }
  say("Checking…");
  const { ok, answer } = await api("POST", "/api/verify", text);
  if (!ok) {
    say(problem(answer), "error");
    return;
  }
  const result = $("result");
  result.replaceChildren();
  const data = unsalt((documentJson && documentJson.data) || {});
  if (renderVerdict(result, data, answer)) result.append(renderDocument(data));
};

// A shared document: its envelope from the server, its key from the link's fragment.
const openShared = async (id, keyHex) => {
  const key = fromHex(keyHex);
  if (!key || key.length !== 32) {
    say("This share link is incomplete: its key (after #) is missing or cut short.", "error");
    return;
  }
  say("Opening the shared document…");
  const { ok, answer } = await api("GET", `/api/shares/${encodeURIComponent(id)}`);
  if (!ok) {
    say(`The shared document cannot be opened: ${problem(answer)}`, "error");
    return;
  }
  let text;
  try {
    text = await decrypt(answer, key);
  } catch (e) {
    say("The shared document cannot be opened: the key does not fit it, or it was altered.", "error");
    return;
  }
  await verifyText(text);
};

const base64Bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

// OPEN-ATTESTATION-TYPE-1, as @govtechsg/oa-encryption opens it: AES-256-GCM over the
// document's base64.
const decrypt = async (envelope, key) => {
  if (envelope.type !== "OPEN-ATTESTATION-TYPE-1") throw new Error(`unknown envelope type ${envelope.type}`);
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
  const sealed = new Uint8Array([...base64Bytes(envelope.cipherText), ...base64Bytes(envelope.tag)]);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64Bytes(envelope.iv) }, aes, sealed);
  return new TextDecoder("utf-8", { fatal: true }).decode(base64Bytes(new TextDecoder().decode(plain)));
};

export const start = () => {
  const drop = $("drop");
  $("file").addEventListener("change", async (e) => {
    const [file] = e.target.files;
    if (file) await verifyText(await file.text());
  });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    const [file] = e.dataTransfer.files;
    if (file) await verifyText(await file.text());
  });
  $("check").addEventListener("click", () => verifyText($("paste").value));
  const shared = /^\/s\/([^/]+)$/.exec(location.pathname);
  if (shared) openShared(decodeURIComponent(shared[1]), location.hash.slice(1));
  showExamples();
};

// The example documents the server offers, one click to verify each.
const showExamples = async () => {
  const { ok, answer } = await api("GET", "/api/examples");
  if (!ok || !Array.isArray(answer.examples) || !answer.examples.length) return;
  $("example-list").replaceChildren(...answer.examples.map((example) => {
    const button = el("button", { type: "button", class: "link", "data-example": example.name }, example.title);
    button.addEventListener("click", () => verifyText(JSON.stringify(example.document)));
    return button;
  }));
  $("examples").hidden = false;
};
