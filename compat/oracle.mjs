// The reference implementation as a filter over JSON Lines, for Corridor's compatibility tests.
//
//   node oracle.mjs verify     < wrapped.jsonl   one {"valid": bool, "error"?: string} per line (verifySignature)
//   node oracle.mjs wrap       < raw.jsonl       the whole input wrapped as one batch (wrapDocuments)
//   node oracle.mjs obfuscate  < requests.jsonl  each {"document", "fields"} obfuscated (obfuscateDocument)
//   node oracle.mjs signer     < wrapped.jsonl   the address that signed each document's merkle root (ethers)
//   node oracle.mjs sign       < requests.jsonl  each {"document", "privateKey"} signed (signDocument, a Wallet)
//   node oracle.mjs keystore-open < requests.jsonl  each {"keystore", "password"} decrypted: {"address"} or {"error"} (ethers)
//   node oracle.mjs keystore-make < requests.jsonl  each {"privateKey", "password"} encrypted: the keystore JSON text (ethers)
//   node oracle.mjs tt-verify  < wrapped.jsonl   tt-verify's {valid (isValid), fragments} for each document (its default verifiers);
//                                                with ORACLE_DNS=host:port, its DNS questions go to that nameserver
//
// tt-verify runs on the test's chain (ORACLE_RPC) or none, and with the test's DNS: see
// tt-verify-local.mjs.
import { createInterface } from "node:readline";
import { wrapDocuments, verifySignature, obfuscateDocument, signDocument } from "@tradetrust-tt/tradetrust";
import { utils, Wallet } from "ethers";
import { isValid, localVerify } from "./tt-verify-local.mjs";

const command = process.argv[2];
const out = [];
const flush = () => {
  if (out.length) process.stdout.write(out.join("\n") + "\n");
  out.length = 0;
};
const emit = (value) => {
  out.push(JSON.stringify(value));
  if (out.length >= 1000) flush();
};

const lines = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim()) lines.push(JSON.parse(line));
}

switch (command) {
  case "verify":
    for (const doc of lines) {
      try {
        emit({ valid: verifySignature(doc) === true });
      } catch (e) {
        emit({ valid: false, error: String(e && e.message) });
      }
    }
    break;
  case "wrap":
    for (const doc of wrapDocuments(lines)) emit(doc);
    break;
  case "obfuscate":
    for (const { document, fields } of lines) emit(obfuscateDocument(document, fields));
    break;
  case "signer":
    for (const doc of lines) {
      emit(doc.proof.map((p) => utils.verifyMessage(utils.arrayify(`0x${doc.signature.merkleRoot}`), p.signature)));
    }
    break;
  case "sign":
    for (const { document, privateKey } of lines) {
      emit(await signDocument(document, "Secp256k1VerificationKey2018", new Wallet(privateKey)));
    }
    break;
  case "keystore-open":
    for (const { keystore, password } of lines) {
      try {
        emit({ address: Wallet.fromEncryptedJsonSync(keystore, password).address });
      } catch (e) {
        emit({ error: String(e && e.message) });
      }
    }
    break;
  case "keystore-make":
    for (const { privateKey, password } of lines) {
      // A light scrypt cost keeps the test quick; Corridor reads whatever cost a file names.
      emit(await new Wallet(privateKey).encrypt(password, { scrypt: { N: 1 << 14 } }));
    }
    break;
  case "tt-verify": {
    const verify = localVerify();
    for (const doc of lines) {
      const fragments = await verify(doc);
      // Keep what Corridor's fragments have: name, type, status, reason.
      emit({
        valid: isValid(fragments),
        fragments: fragments.map(({ name, type, status, reason }) => ({ name, type, status, reason })),
      });
    }
    break;
  }
  default:
    console.error(`usage: node oracle.mjs verify|wrap|obfuscate|signer|sign|keystore-open|keystore-make|tt-verify < input.jsonl`);
    process.exit(2);
}
flush();
