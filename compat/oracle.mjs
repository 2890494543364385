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
// tt-verify resolves did:ethr DIDs over a chain. The oracle gives it a resolver that answers
// with the DID document ethr-did-resolver builds for a DID never changed on chain (its
// controller key is its own address), so that the signature is still checked by tt-verify's
// own recovery, without a chain.
import { createInterface } from "node:readline";
import { wrapDocuments, verifySignature, obfuscateDocument, signDocument } from "@tradetrust-tt/tradetrust";
import { utils, Wallet } from "ethers";
import { verificationBuilder, openAttestationVerifiers, isValid } from "@tradetrust-tt/tt-verify";
import { Resolver } from "did-resolver";
import { defaultDnsResolvers } from "@tradetrust-tt/dnsprove";
import { promises as dns } from "node:dns";

// tt-verify asks dnsprove's default resolvers (public DNS over HTTPS). Pointed at a test's
// nameserver instead, they answer in the same shape: a name that does not exist is an answer
// with no records, a server that does not answer is a failure.
if (process.env.ORACLE_DNS) {
  const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([process.env.ORACLE_DNS]);
  const local = async (domain) => {
    try {
      const records = await resolver.resolveTxt(domain);
      return { AD: false, Answer: records.map((chunks) => ({ name: domain, type: 16, TTL: 60, data: chunks.join("") })) };
    } catch (e) {
      if (e.code === "ENOTFOUND" || e.code === "ENODATA") return { AD: false, Answer: [] };
      throw e;
    }
  };
  defaultDnsResolvers.splice(0, defaultDnsResolvers.length, local);
}

const unchangedEthrDid = new Resolver({
  ethr: async (did, parsed) => {
    const address = parsed.id.split(":").pop();
    const controller = `${did}#controller`;
    return {
      didResolutionMetadata: { contentType: "application/did+ld+json" },
      didDocumentMetadata: {},
      didDocument: {
        "@context": ["https://www.w3.org/ns/did/v1"],
        id: did,
        verificationMethod: [
          { id: controller, type: "EcdsaSecp256k1RecoveryMethod2020", controller: did, blockchainAccountId: `${address}@eip155:1` },
        ],
        authentication: [controller],
        assertionMethod: [controller],
      },
    };
  },
});

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
    const verify = verificationBuilder(openAttestationVerifiers, { network: "mainnet", resolver: unchangedEthrDid });
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
