// What the portal takes from third-party packages, bundled by scripts/build-portal-vendor into
// assets/vendor.js (global `Vendor`): signing title actions in the browser, whose key never
// leaves it, and drawing share links as QR codes, whose key never reaches the server.
export { secp256k1 } from "@noble/curves/secp256k1.js";
export { keccak_256 } from "@noble/hashes/sha3.js";
export { default as qrcode } from "qrcode-generator";
