// What the portal takes from third-party packages, bundled by scripts/build-portal-vendor into
// assets/vendor.js (global `Vendor`): signing title actions in the browser, whose key never
// leaves it; drawing share links as QR codes, whose key never reaches the server; and the
// handshake of TradeTrust's decentralized-renderer protocol with an issuer's renderer in a
// frame (penpal 6, and penpal 4 for renderers made before it, as TradeTrust's own host does).
export { secp256k1 } from "@noble/curves/secp256k1.js";
export { keccak_256 } from "@noble/hashes/sha3.js";
export { default as qrcode } from "qrcode-generator";
export { connectToChild } from "penpal";
export { default as connectToChildV4 } from "penpal-v4/lib/connectToChild.js";
