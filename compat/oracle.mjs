// The reference implementation as a filter over JSON Lines, for Corridor's compatibility tests.
//
//   node oracle.mjs verify     < wrapped.jsonl   one {"valid": bool, "error"?: string} per line (verifySignature)
//   node oracle.mjs wrap       < batches.jsonl   each line an array of raw documents, wrapped as one batch
//                                                (wrapDocuments): that batch's wrapped documents, as an array
//   node oracle.mjs obfuscate  < requests.jsonl  each {"document", "fields"} obfuscated (obfuscateDocument)
//   node oracle.mjs signer     < wrapped.jsonl   the address that signed each document's merkle root (ethers)
//   node oracle.mjs expect     < texts.jsonl     each a file's text (a JSON string): the reference's verdict on it,
//                                                {integrity: VALID (verifySignature is true) | INVALID (false)
//                                                | ERROR (not JSON, or verifySignature throws), error?, and when
//                                                VALID targetHash, merkleRoot and signers (ethers, for each proof)}
//   node oracle.mjs sign       < requests.jsonl  each {"document", "privateKey"} signed (signDocument, a Wallet)
//   node oracle.mjs sign-transaction < requests.jsonl  each {"transaction", "privateKey"}: the transaction (to, data,
//                                                value, nonce, gasPrice, gasLimit, chainId) signed by a Wallet:
//                                                {"raw"} (ethers' signTransaction: legacy, EIP-155)
//   node oracle.mjs keystore-open < requests.jsonl  each {"keystore", "password"} decrypted: {"address"} or {"error"} (ethers)
//   node oracle.mjs keystore-make < requests.jsonl  each {"privateKey", "password"} encrypted: the keystore JSON text (ethers)
//   node oracle.mjs chain-document-store < requests.jsonl  each {"rpc", "privateKey", "name"}: a document store deployed
//                                                with the package's own bindings: {"address"}
//   node oracle.mjs chain-issue < requests.jsonl   each {"rpc", "privateKey", "store", "roots"}: the roots issued there
//   node oracle.mjs chain-revoke < requests.jsonl  each {"rpc", "privateKey", "store", "hashes"}: the hashes revoked there
//   node oracle.mjs chain-token-registry < requests.jsonl  each {"rpc", "privateKey"}: a token registry and its title
//                                                escrow factory deployed from the package's artifacts: {"address"}
//   node oracle.mjs chain-mint < requests.jsonl    each {"rpc", "privateKey", "registry", "roots"}: a token minted per root
//   node oracle.mjs encrypt    < requests.jsonl  each {"document": text} encrypted: {cipherText, iv, tag, key, type} (oa-encryption)
//   node oracle.mjs decrypt    < envelopes.jsonl each {cipherText, iv, tag, key, type} opened: {"document": text} or {"error"}
//   node oracle.mjs dns-records < txts.jsonl   each {"txt": a TXT record's text} read by dnsprove's own parsers:
//                                                {"txt": {netId, addr} | null | {error}, "did": {publicKey, version} | null}
//   node oracle.mjs tt-verify  < wrapped.jsonl   tt-verify's {valid (isValid), fragments} for each document (its default verifiers;
//                                                the identity fragments with their data);
//                                                with ORACLE_DNS=host:port, its DNS questions go to that nameserver
//
// tt-verify runs on the test's chain (ORACLE_RPC) or none, and with the test's DNS: see
// tt-verify-local.mjs.
import { createInterface } from "node:readline";
import { wrapDocuments, verifySignature, obfuscateDocument, signDocument } from "@tradetrust-tt/tradetrust";
import { ContractFactory, providers, utils, Wallet } from "ethers";
import { DocumentStoreFactory } from "@tradetrust-tt/document-store";
import { readFileSync } from "node:fs";
import { encryptString, decryptString } from "@govtechsg/oa-encryption";
import { parseDocumentStoreResults, parseDnsDidResults } from "@tradetrust-tt/dnsprove";

// A contract of the token registry package, from its compiled (Hardhat) artifact.
const contractFactory = (name, wallet) => {
  const path = `./node_modules/@tradetrust-tt/token-registry/dist/artifacts/${name}.sol/${name}.json`;
  const { abi, bytecode } = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
  return new ContractFactory(abi, bytecode, wallet);
};

// The reference's verdict on a file's text, in the terms of ../shared/fixtures/oa-v2/expected.json.
const expectation = (text) => {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { integrity: "ERROR", error: `not JSON: ${e.message}` };
  }
  let valid;
  try {
    valid = verifySignature(doc) === true;
  } catch (e) {
    return { integrity: "ERROR", error: String(e && e.message) };
  }
  if (!valid) return { integrity: "INVALID" };
  const { targetHash, merkleRoot } = doc.signature;
  const root = utils.arrayify(`0x${merkleRoot}`);
  const signers = Array.isArray(doc.proof) ? doc.proof.map((p) => utils.verifyMessage(root, p.signature)) : [];
  return { integrity: "VALID", targetHash, merkleRoot, signers };
};

/** `work` on each of `items`, at most `limit` at a time: the answers in the items' order. */
const inTurns = async (items, limit, work) => {
  const answers = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      answers[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return answers;
};

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
    for (const batch of lines) emit(wrapDocuments(batch));
    break;
  case "obfuscate":
    for (const { document, fields } of lines) emit(obfuscateDocument(document, fields));
    break;
  case "signer":
    for (const doc of lines) {
      emit(doc.proof.map((p) => utils.verifyMessage(utils.arrayify(`0x${doc.signature.merkleRoot}`), p.signature)));
    }
    break;
  case "expect":
    for (const text of lines) emit(expectation(text));
    break;
  case "sign":
    for (const { document, privateKey } of lines) {
      emit(await signDocument(document, "Secp256k1VerificationKey2018", new Wallet(privateKey)));
    }
    break;
  case "sign-transaction":
    for (const { transaction, privateKey } of lines) {
      const { to, data, value, nonce, gasPrice, gasLimit, chainId } = transaction;
      emit({ raw: await new Wallet(privateKey).signTransaction({ to, data, value, nonce, gasPrice, gasLimit, chainId }) });
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
  case "chain-document-store":
    // The reference's own contract bindings deploy a document store.
    for (const { rpc, privateKey, name } of lines) {
      const wallet = new Wallet(privateKey, new providers.JsonRpcProvider(rpc));
      const store = await new DocumentStoreFactory(wallet).deploy(name, wallet.address);
      await store.deployed();
      emit({ address: store.address });
    }
    break;
  case "chain-issue":
    for (const { rpc, privateKey, store, roots } of lines) {
      const wallet = new Wallet(privateKey, new providers.JsonRpcProvider(rpc));
      const contract = DocumentStoreFactory.connect(store, wallet);
      for (const root of roots) await (await contract.issue(`0x${root}`)).wait();
      emit({ issued: roots.length });
    }
    break;
  case "chain-revoke":
    for (const { rpc, privateKey, store, hashes } of lines) {
      const wallet = new Wallet(privateKey, new providers.JsonRpcProvider(rpc));
      const contract = DocumentStoreFactory.connect(store, wallet);
      for (const hash of hashes) await (await contract.revoke(`0x${hash}`)).wait();
      emit({ revoked: hashes.length });
    }
    break;
  case "chain-token-registry":
    // A token registry with its title escrow factory, from the package's compiled contracts.
    for (const { rpc, privateKey } of lines) {
      const wallet = new Wallet(privateKey, new providers.JsonRpcProvider(rpc));
      const escrows = await contractFactory("TitleEscrowFactory", wallet).deploy();
      await escrows.deployed();
      const registry = await contractFactory("TradeTrustToken", wallet).deploy("Corridor Bills", "CBL", escrows.address);
      await registry.deployed();
      emit({ address: registry.address });
    }
    break;
  case "chain-mint":
    // A token per root, beneficiary and holder the minter.
    for (const { rpc, privateKey, registry, roots } of lines) {
      const wallet = new Wallet(privateKey, new providers.JsonRpcProvider(rpc));
      const contract = contractFactory("TradeTrustToken", wallet).attach(registry);
      for (const root of roots) await (await contract.mint(wallet.address, wallet.address, `0x${root}`, "0x")).wait();
      emit({ minted: roots.length });
    }
    break;
  case "encrypt":
    for (const { document } of lines) emit(encryptString(document));
    break;
  case "decrypt":
    for (const envelope of lines) {
      try {
        emit({ document: decryptString(envelope) });
      } catch (e) {
        emit({ error: String(e && e.message) });
      }
    }
    break;
  case "dns-records": {
    // A lone surrogate (half of a quoted record's last character) becomes U+FFFD: JSON for Rust.
    const text = (value) => value.toWellFormed();
    const storeRecord = (txt) => {
      try {
        const [store] = parseDocumentStoreResults([{ data: txt }]);
        return store ? { netId: text(store.netId), addr: text(store.addr) } : null;
      } catch (e) {
        return { error: String(e && e.message) };
      }
    };
    for (const { txt } of lines) {
      const [did] = parseDnsDidResults([{ data: txt }]);
      emit({
        txt: storeRecord(txt),
        did: did ? { publicKey: text(did.publicKey), version: text(did.version) } : null,
      });
    }
    break;
  }
  case "tt-verify": {
    // Loaded here alone: tt-verify takes seconds to load, which every other command would pay.
    const { isValid, localVerify } = await import("./tt-verify-local.mjs");
    const verify = localVerify();
    // Keep what Corridor's fragments have: name, type, status, reason, and the identity
    // fragments' data when they reached a verdict (an ERROR's data is the exception caught,
    // which its reason says).
    const kept = ({ name, type, status, reason, data }) =>
      type === "ISSUER_IDENTITY" && status !== "ERROR" && data !== undefined
        ? { name, type, status, reason, data }
        : { name, type, status, reason };
    // Several documents at a time, as a verifier serving many would: a question that waits for
    // its timeout (a silent nameserver) then holds up only its own document.
    const answers = await inTurns(lines, 16, async (doc) => {
      const fragments = await verify(doc);
      return { valid: isValid(fragments), fragments: fragments.map(kept) };
    });
    answers.forEach(emit);
    break;
  }
  default:
    console.error(`usage: node oracle.mjs verify|wrap|obfuscate|signer|expect|sign|keystore-open|keystore-make|chain-document-store|chain-issue|chain-revoke|chain-token-registry|chain-mint|encrypt|decrypt|dns-records|tt-verify < input.jsonl`);
    process.exit(2);
}
flush();
