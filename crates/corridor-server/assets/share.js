// The share page: a document is encrypted here (OPEN-ATTESTATION-TYPE-1, as
// @govtechsg/oa-encryption does), the envelope stored with POST /api/shares, and the link given
// in TradeTrust's action-link format with its key in the anchor — which browsers never send —
// as text and as a QR code on this portal's address, and through TradeTrust's router for
// those who open documents on TradeTrust's website (the router forwards only to TradeTrust's
// own hosts, so that link's redirect is TradeTrust's website, which fetches the envelope from
// here).
import { actionLink, portalLink } from "./actions.js";
import { $, api, el, problem, rememberToken, unsalt } from "./common.js";
import { encrypt } from "./envelope.js";

// Where TradeTrust's router sends a link on: TradeTrust's website.
const TRADETRUST = "https://tradetrust.io/";

// The chain a link names: the document's own network, else Ethereum's (TradeTrust's website
// refuses a link naming none; a document on no chain verifies alike on any).
const chainOf = (document) => {
  const network = unsalt((document.data || {}).network);
  return String((network && network.chainId) || "1");
};

const share = async () => {
  const out = $("share-result");
  const [file] = $("share-file").files;
  if (!file) {
    out.replaceChildren(el("p", { class: "error", id: "share-error" }, "Choose the document to share first."));
    return;
  }
  const documentText = await file.text();
  let parsed;
  try {
    parsed = JSON.parse(documentText);
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
  const action = { uri: `${location.origin}/api/shares/${answer.id}`, key, chainId: chainOf(parsed) };
  const link = portalLink({ ...action, redirect: `${location.origin}/` });
  const tradetrust = actionLink({ ...action, redirect: TRADETRUST });
  const qr = window.Vendor.qrcode(0, "M");
  qr.addData(link);
  qr.make();
  const copy = el("button", { type: "button" }, "Copy the link");
  copy.addEventListener("click", () => navigator.clipboard.writeText(link));
  out.replaceChildren(
    el("p", { class: "done" }, `Shared until ${new Date(answer.expires).toLocaleString()}. Whoever has this link can open and check the document until then; the server cannot read it.`),
    el("p", {}, el("a", { id: "share-link", href: link }, link), " ", copy),
    el("img", { id: "share-qr", alt: "The link as a QR code", src: qr.createDataURL(4, 4) }),
    el("p", { class: "note" }, "To open it on TradeTrust's website instead: ",
      el("a", { id: "share-tradetrust", href: tradetrust }, tradetrust)),
  );
};

export const start = () => {
  rememberToken($("share-token"));
  $("do-share").addEventListener("click", share);
};
