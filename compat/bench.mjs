// The reference's side of scripts/bench-compare, on the same bill-of-lading workload.
//
//   node bench.mjs generate N [ISSUER] > raw.jsonl   N raw documents, about 30 leaves each
//                                                 (ISSUER: a JSON issuer block to use instead of the default)
//   node bench.mjs generate3 N > raw.jsonl        N raw OpenAttestation v3 credentials: the same bills of
//                                                 lading as credential subjects, under a document store
//   node bench.mjs tt-verify issued.jsonl         times tt-verify over the documents (see tt-verify-local.mjs;
//                                                 ORACLE_RPC for a chain); prints {"documents", "valid", "seconds"}
//   node bench.mjs reference raw.jsonl out.jsonl  times wrapDocuments and verifySignature in memory;
//                                                 prints {"wrapSeconds", "verifySeconds", "documents"}
import { readFileSync, writeFileSync } from "node:fs";
import { wrapDocuments, verifySignature } from "@tradetrust-tt/tradetrust";
import { isValid, localVerify } from "./tt-verify-local.mjs";

const [command, ...args] = process.argv.slice(2);

// A deterministic generator, so that both sides see the same documents.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];

const defaultIssuer = { name: "Lion City Shipping", tokenRegistry: "0x142Ca30e3b78A840a82192529cA047ED759a6F7e",
                        identityProof: { type: "DNS-TXT", location: "carrier.example.com" } };

function billOfLading(i, issuer) {
  return {
    $template: { name: "BILL_OF_LADING", type: "EMBEDDED_RENDERER", url: "https://generic-templates.tradetrust.io" },
    issuers: [issuer],
    blNumber: `LCS-${String(i).padStart(8, "0")}`,
    shipper: { name: pick(["Tropical Fruits Export Pte Ltd", "Straits Orchid Co", "Jurong Foods"]),
               address: { street: `${1 + Math.floor(random() * 999)} Harbour Front Avenue`, city: "Singapore", country: "SG" } },
    consignee: { name: pick(["Chongqing Fresh Imports Co", "Yangtze Cold Chain Ltd"]),
                 address: { street: `${1 + Math.floor(random() * 99)} Jiefangbei Road`, city: "Chongqing", country: "CN" } },
    vessel: pick(["MV Lion City", "MV Merlion", "MV Yangtze Star"]),
    voyageNo: `V${Math.floor(random() * 9000) + 1000}N`,
    portOfLoading: "SGSIN",
    portOfDischarge: "CNCKG",
    packages: [
      { description: "Frozen durian, 20 kg cartons", count: Math.floor(random() * 500), weightKg: Math.round(random() * 1e6) / 100 },
      { description: "Cut orchids, refrigerated", count: Math.floor(random() * 100), weightKg: Math.round(random() * 1e5) / 100 },
    ],
    negotiable: random() < 0.5,
    freightPrepaid: random() < 0.5,
    remarks: null,
  };
}

// A v3 credential whose subject is the bill of lading (the issuer block and template go into
// its metadata); every property is mapped by the `@vocab` of its own context.
function billOfLadingV3(i) {
  const { $template, issuers, ...subject } = billOfLading(i, defaultIssuer);
  return {
    "@context": [
      "https://www.w3.org/2018/credentials/v1",
      "https://schemata.openattestation.com/com/openattestation/1.0/OpenAttestation.v3.json",
      { "@vocab": "https://schemata.tradetrust.io/vocab#" },
    ],
    type: ["VerifiableCredential", "OpenAttestationCredential"],
    issuanceDate: "2026-11-29T10:00:00Z",
    issuer: { id: "https://carrier.example.com", type: "OpenAttestationIssuer", name: issuers[0].name },
    credentialSubject: subject,
    openAttestationMetadata: {
      template: $template,
      proof: { type: "OpenAttestationProofMethod", method: "DOCUMENT_STORE", value: "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca" },
      identityProof: { type: "DNS-TXT", identifier: issuers[0].identityProof.location },
    },
  };
}

const readLines = (path) => readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

switch (command) {
  case "generate":
  case "generate3": {
    // Written in slices: a million documents do not fit in one JavaScript string.
    const n = Number(args[0]);
    const issuer = args[1] ? JSON.parse(args[1]) : defaultIssuer;
    const make = command === "generate3" ? billOfLadingV3 : (i) => billOfLading(i, issuer);
    for (let start = 0; start < n; start += 10000) {
      const out = [];
      for (let i = start; i < Math.min(n, start + 10000); i++) out.push(JSON.stringify(make(i)));
      if (!process.stdout.write(out.join("\n") + "\n")) await new Promise((resolve) => process.stdout.once("drain", resolve));
    }
    break;
  }
  case "reference": {
    const raws = readLines(args[0]);
    let t = process.hrtime.bigint();
    const wrapped = wrapDocuments(raws);
    const wrapSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const ok = wrapped.filter((d) => verifySignature(d)).length;
    const verifySeconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (ok !== wrapped.length) throw new Error(`only ${ok} of ${wrapped.length} verified`);
    writeFileSync(args[1], wrapped.map((d) => JSON.stringify(d)).join("\n") + "\n");
    console.log(JSON.stringify({ documents: wrapped.length, wrapSeconds, verifySeconds }));
    break;
  }
  case "tt-verify": {
    const docs = readLines(args[0]);
    const verify = localVerify();
    const t = process.hrtime.bigint();
    let valid = 0;
    for (const doc of docs) if (isValid(await verify(doc))) valid += 1;
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(JSON.stringify({ documents: docs.length, valid, seconds }));
    break;
  }
  default:
    console.error("usage: node bench.mjs generate N [ISSUER] | generate3 N | reference raw.jsonl out.jsonl | tt-verify issued.jsonl");
    process.exit(2);
}
