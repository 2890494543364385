// The share page: a document is encrypted here (OPEN-ATTESTATION-TYPE-1, as
// @govtechsg/oa-encryption does: AES-256-GCM over the document's base64), the envelope stored
// with POST /api/shares, and the link given with its key in the fragment — which browsers
// never send — as text and as a QR code.
import { $, api, el, problem, rememberToken, toHex } from "./common.js";

const base64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

export const encrypt = async (documentText) => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const plain = new TextEncoder().encode(base64(new TextEncoder().encode(documentText)));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aes, plain));
  return {
    key: toHex(key),
    envelope: { cipherText: base64(sealed.slice(0, -16)), iv: base64(iv), tag: base64(sealed.slice(-16)), type: "OPEN-ATTESTATION-TYPE-1" },
  };
};

const share = async () => {
  const out = $("share-result");
  const [file] = $("share-file").files;
  if (!file) {
    out.replaceChildren(el("p", { class: "error", id: "share-error" }, "Choose the document to share first."));
    return;
  }
  const documentText = await file.text();
  try {
    const parsed = JSON.parse(documentText);
    if (!parsed || typeof parsed !== "object" || !parsed.data || !parsed.signature) throw new Error();
  } catch (_) {
    out.replaceChildren(el("p", { class: "error", id: "share-error" }, `${file.name} is not a wrapped document.`));
    return;
  }
  const { key, envelope } = await encrypt(documentText);
  const { ok, answer } = await api("POST", "/api/shares", envelope, $("share-token").value.trim());
  if (!ok) {
    out.replaceChildren(el("p", { class: "error", id: "share-error" }, `Not shared: ${problem(answer)}`));
    return;
  }
  const link = `${location.origin}/s/${answer.id}#${key}`;
  const qr = window.Vendor.qrcode(0, "M");
  qr.addData(link);
  qr.make();
  const copy = el("button", { type: "button" }, "Copy the link");
  copy.addEventListener("click", () => navigator.clipboard.writeText(link));
  out.replaceChildren(
    el("p", { class: "done" }, `Shared until ${new Date(answer.expires).toLocaleString()}. Whoever has this link can open and check the document until then; the server cannot read it.`),
    el("p", {}, el("a", { id: "share-link", href: link }, link), " ", copy),
    el("img", { id: "share-qr", alt: "The link as a QR code", src: qr.createDataURL(4, 4) }),
  );
};

export const start = () => {
  rememberToken($("share-token"));
  $("do-share").addEventListener("click", share);
};
