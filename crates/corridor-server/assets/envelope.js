// OPEN-ATTESTATION-TYPE-1, the envelope @govtechsg/oa-encryption makes and TradeTrust opens:
// AES-256-GCM over the document's base64, with WebCrypto; the key as 64 hex digits.
import { fromHex, toHex } from "./common.js";

const base64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
const base64Bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

// A document's text sealed with a fresh key: {key, envelope}.
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

// A key given as hex, if it is one: 32 bytes.
export const keyOf = (hex) => {
  const key = typeof hex === "string" ? fromHex(hex) : null;
  return key && key.length === 32 ? key : null;
};

// The document's text; throws when the key does not fit or the envelope was altered.
export const decrypt = async (envelope, key) => {
  if (envelope.type !== "OPEN-ATTESTATION-TYPE-1") throw new Error(`unknown envelope type ${envelope.type}`);
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
  const sealed = new Uint8Array([...base64Bytes(envelope.cipherText), ...base64Bytes(envelope.tag)]);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64Bytes(envelope.iv) }, aes, sealed);
  return new TextDecoder("utf-8", { fatal: true }).decode(base64Bytes(new TextDecoder().decode(plain)));
};
