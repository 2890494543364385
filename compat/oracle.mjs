// The reference implementation as a filter over JSON Lines, for Corridor's compatibility tests.
//
//   node oracle.mjs verify     < wrapped.jsonl   one {"valid": bool, "error"?: string} per line (verifySignature)
//   node oracle.mjs wrap       < raw.jsonl       the whole input wrapped as one batch (wrapDocuments)
//   node oracle.mjs obfuscate  < requests.jsonl  each {"document", "fields"} obfuscated (obfuscateDocument)
//   node oracle.mjs signer     < wrapped.jsonl   the address that signed each document's merkle root (ethers)
import { createInterface } from "node:readline";
import { wrapDocuments, verifySignature, obfuscateDocument } from "@tradetrust-tt/tradetrust";
import { utils } from "ethers";

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
  default:
    console.error(`usage: node oracle.mjs verify|wrap|obfuscate|signer < input.jsonl`);
    process.exit(2);
}
flush();
