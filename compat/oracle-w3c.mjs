// The W3C half of the oracle: TrustVC (@trustvc/trustvc, pinned in package.json) verifying
// W3C Verifiable Credentials, with a folder standing in for the network ("a world": index.json
// maps each URL to a file, as shared/fixtures/w3c/world/ is laid out).
//
//   node oracle-w3c.mjs versions
//       the versions of the packages under @trustvc/trustvc, as it resolves them
//   node oracle-w3c.mjs new-issuer WORLD_DIR HOST [SUITE...]
//       a did:web:HOST issuer made by TrustVC's issueDID with a key pair for each suite
//       (ecdsa-sd-2023 and bbs-2023 unless named; BbsBlsSignature2020 is a Bls12381G2Key2020):
//       its DID document put in the world (index.json updated), its key pairs printed as
//       {"ecdsa-sd-2023": keyPair, "bbs-2023": keyPair, …}
//   node oracle-w3c.mjs sign WORLD_DIR KEYS_FILE SUITE < credentials.jsonl
//       each credential signed by signW3C with that suite's key pair, one JSON line each;
//       BbsBlsSignature2020, which TrustVC 2 no longer signs, by the TrustVC 1 that made
//       TradeTrust's published credentials (@trustvc/w3c-vc 1.2, under
//       @tradetrust-tt/tradetrust)
//   node oracle-w3c.mjs status-list WORLD_DIR KEYS_FILE SUITE < lists.jsonl
//       each {"url", "purpose", "length", "set": [index, …], "type"?} made a status list
//       credential by TrustVC (its StatusList and createCredentialStatusPayload; type
//       BitstringStatusListCredential unless StatusList2021Credential is asked), signed by signW3C
//       with that suite's key pair and put in the world at url; prints each signed credential
//   node oracle-w3c.mjs derive WORLD_DIR < requests.jsonl
//       each {"credential", "pointers"} derived by deriveW3C (which adds /credentialSubject when
//       no pointer starts with it), or {"credential", "frame"} of a BbsBlsSignature2020
//       credential by TrustVC 1's deriveCredential (a JSON-LD frame of what to reveal): the
//       derived credential, or {"error": message}
//   node oracle-w3c.mjs canonize < datasets.jsonl
//       each {"nquads": text} canonicalized by RDFC-1.0 with the rdf-canonize the selective
//       disclosure suites use: {"canonical": text, "labels": [[input, canonical], …]} or
//       {"error": message}
//   node oracle-w3c.mjs jsonld < operations.jsonl
//       each {"op", "document", "context" (compact only), "contexts"?: {URL: context document}}
//       run by the jsonld.js the selective disclosure suites run (di-sd-primitives' copy), with
//       their options (safe mode), loading contexts as TrustVC does for credentials
//       (w3c-context's getDocumentLoader: its bundled contexts, given the line's `contexts` as
//       its additional ones); any other URL fails as an unknown host. Each line is answered
//       as by a fresh process (jsonld.js's cache of resolved contexts emptied). One line each:
//         expand  → {"expanded": [...]}     jsonld.expand(document)
//         compact → {"compacted": {...}}    jsonld.compact(document, context)
//         to-rdf  → {"nquads": "..."}       jsonld.toRDF(document) as N-Quads, as jsonld.js
//                                           serializes them (sorted by UTF-16 code units)
//         failure → {"error": {name, message, code}}: code is the JSON-LD error code, or for a
//                   safe mode refusal the event's ("invalid property", …), or null
//   node oracle-w3c.mjs verify WORLD_DIR FILE...
//       one JSON line per file, in the order given (one process, as the fixtures' own check
//       runs): {file, verdict, fragments, needs, error?}; verdict VALID / INVALID as
//       isValid(fragments), ERROR when the file is not JSON or verifyDocument throws;
//       needs: the URLs asked while verifying it. Transferable records are asked of the chain
//       at ORACLE_RPC_URL when set, else of a closed port.
//
//   node oracle-w3c.mjs oa3 OPERATION WORLD_DIR
//       OpenAttestation v3 by @tradetrust-tt/tradetrust (what TrustVC verifies v3 with), the
//       contexts it does not bundle answered by the world; one line each:
//         wrap      each line an array of raw credentials, wrapped as one batch
//                   (__unsafe__use__it__at__your__own__risks__wrapDocuments): the array
//         obfuscate each {"document", "fields"}: obfuscateDocument's document
//         sign      each {"document", "privateKey"}: signDocument's document (an ethers Wallet)
//         verify    each document: {"valid": verifySignature(document)}
//       or {"error": message} where the reference throws; and
//         bench     the lines raw credentials, wrapped as one batch and each verified, in memory:
//                   one line {"documents", "wrapSeconds", "verifySeconds"} (scripts/bench-compare)
//
//   node oracle-w3c.mjs serve
//       any of the above, for as long as standard input stays open: each line a request
//       {"args": [command, ...], "env"?: {...}, "input"?: its JSON lines as text}, answered
//       by one line {"answers": [...]} or {"error": message}; so that a test process loads
//       TrustVC (seconds) once, not once a command
//
// The world answers fetch (status lists, contexts TrustVC does not bundle), cross-fetch
// (which web-did-resolver resolves did:web with) and node-fetch (OpenCerts' registry): a
// listed URL gets its file, an unlisted URL on a listed host 404 "Not Found", any other host
// fails as an unknown DNS name. Nothing else reaches the network: the chain provider points
// at a closed port.

import { createRequire } from "node:module";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
// Answers go to standard output, one line each; what the packages print (jsonld's document
// loader logs every fetch) goes to standard error instead.
console.log = (...args) => console.error(...args);
const here = path.dirname(fileURLToPath(import.meta.url));

/** The index of the world in `dir`; an empty world if it has none yet. */
const readIndex = (dir) => {
  try {
    return JSON.parse(readFileSync(path.join(dir, "index.json"), "utf8"));
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
    // Laid out as the shared fixtures' world, which says what this world does.
    return {
      files: {},
      kinds: {},
      dids: {},
      statusLists: {},
      unknownHosts: "any host not listed here fails as an unknown DNS name; a listed host answers 404 for paths it does not list",
    };
  }
};

/** JSON lines, parsed. */
const parseLines = (text) =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));

/** The URL a fetch asks for, whichever form it was given in. */
const urlOf = (input) => (typeof input === "string" ? input : input.url ?? String(input));

/** The error fetch fails with for a host that has no address. */
const unknownHost = (url) => {
  const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).hostname}`), {
    code: "ENOTFOUND",
  });
  return Object.assign(new TypeError("fetch failed"), { cause });
};

/** The world in WORLD_DIR, and the URLs asked of it since `asked` was last emptied. */
const world = (dir) => {
  const asked = [];
  const fetch = async (input) => {
    const url = urlOf(input);
    asked.push(url);
    // Read at each question: `new-issuer` adds to the world while asking it.
    const index = readIndex(dir);
    const hosts = new Set(Object.keys(index.files).map((listed) => new URL(listed).host));
    const file = index.files[url];
    if (file !== undefined) {
      const body = readFileSync(path.join(dir, file));
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    }
    if (hosts.has(new URL(url).host)) {
      return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
    }
    throw unknownHost(url);
  };
  return { fetch, asked };
};

/** The folders of every installed copy of `name` under `root`, at any depth. */
const installed = (root, name) => {
  const found = [];
  const walk = (modules) => {
    let entries;
    try {
      entries = readdirSync(modules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(modules, entry.name);
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(dir, { withFileTypes: true })) {
          if (scoped.isDirectory()) visit(path.join(dir, scoped.name), `${entry.name}/${scoped.name}`);
        }
      } else {
        visit(dir, entry.name);
      }
    }
  };
  const visit = (dir, packageName) => {
    if (packageName === name) found.push(dir);
    walk(path.join(dir, "node_modules"));
  };
  walk(root);
  return found;
};

/** What fetch and cross-fetch answer with now (see `answerWith`). */
let currentFetch = null;

/**
 * Every copy of cross-fetch and node-fetch in node_modules answers from `currentFetch`, put in
 * place before anything loads one; once, as modules keep the copy they loaded across the requests a server
 * answers.
 */
let crossFetchReplaced = false;
const replaceCrossFetch = () => {
  if (crossFetchReplaced) return;
  crossFetchReplaced = true;
  const ponyfill = Object.assign((...args) => currentFetch(...args), { __esModule: true, Headers, Request, Response });
  ponyfill.default = ponyfill;
  ponyfill.fetch = ponyfill;
  // TrustVC's OpenCerts registry check fetches with node-fetch itself.
  const copies = ["cross-fetch", "node-fetch"].flatMap((name) => installed(path.join(here, "node_modules"), name));
  for (const dir of copies) {
    const main = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).main ?? "index.js";
    const resolved = require.resolve(path.join(dir, main));
    require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports: ponyfill };
  }
};

const isValid = (fragments) =>
  ["DOCUMENT_INTEGRITY", "DOCUMENT_STATUS", "ISSUER_IDENTITY"].every(
    (type) =>
      fragments.some((f) => f.type === type && f.status === "VALID") &&
      !fragments.some((f) => f.type === type && (f.status === "INVALID" || f.status === "ERROR")),
  );

/** The version of the package `name` as `from` (a folder) resolves it. */
const versionFrom = (name, from) => {
  let dir;
  try {
    dir = path.dirname(require.resolve(name, { paths: [from] }));
  } catch {
    return null;
  }
  // Up from its entry point to its own package.json: some export no "./package.json".
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      if (json.name === name) return { version: json.version, dir };
    } catch {
      // no package.json here
    }
  }
  return null;
};

/** The versions of the packages TrustVC runs on, as it resolves them. */
const versions = () => {
  const trustvc = versionFrom("@trustvc/trustvc", here);
  const vc = versionFrom("@trustvc/w3c-vc", trustvc.dir);
  const names = [
    "@trustvc/trustvc", "@trustvc/w3c-vc", "@trustvc/w3c-issuer", "@trustvc/w3c-context",
    "@trustvc/w3c-credential-status", "@tradetrust-tt/tt-verify",
    "@digitalbazaar/ecdsa-sd-2023-cryptosuite", "@digitalbazaar/bbs-2023-cryptosuite",
    "@digitalbazaar/di-sd-primitives", "@digitalbazaar/data-integrity",
    "@digitalbazaar/bbs-signatures", "jsonld-signatures", "ethers",
  ];
  // The cryptosuites sit under @trustvc/w3c-vc: asked from there first.
  const version = (name) => (versionFrom(name, vc.dir) ?? versionFrom(name, trustvc.dir))?.version ?? null;
  return Object.fromEntries(names.map((name) => [name, version(name)]));
};

const verify = async (dir, files, emit, env) => {
  const { trustvc, asked } = trustvcIn(dir);
  const { verifyDocument } = trustvc;
  const { ethers } = require("ethers");
  // A chain for transferable records when the caller names one; else a closed port.
  const provider = new ethers.providers.JsonRpcProvider(env.ORACLE_RPC_URL ?? "http://127.0.0.1:9");
  for (const file of files) {
    asked.length = 0;
    let answer;
    let document;
    try {
      document = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      answer = { verdict: "ERROR", fragments: [], error: `not JSON: ${e.message}` };
    }
    if (!answer) {
      try {
        const fragments = await verifyDocument(document, { provider });
        answer = { verdict: isValid(fragments) ? "VALID" : "INVALID", fragments };
      } catch (e) {
        answer = { verdict: "ERROR", fragments: [], error: String(e?.message ?? e) };
      }
    }
    emit({ file, ...answer, needs: [...new Set(asked)] });
  }
};

/** `fetch` answers in place of the network, for fetch and every cross-fetch alike. */
const answerWith = (fetch) => {
  currentFetch = fetch;
  globalThis.fetch = fetch;
  replaceCrossFetch();
};

/** Answers from the world in `dir` in place of the network, then loads TrustVC. */
const trustvcIn = (dir) => {
  const answering = world(dir);
  answerWith(answering.fetch);
  return { trustvc: require("@trustvc/trustvc"), asked: answering.asked };
};

/** The key type issueDID makes for a suite. */
const keyTypes = {
  "ecdsa-sd-2023": "ecdsa-sd-2023",
  "bbs-2023": "bbs-2023",
  BbsBlsSignature2020: "Bls12381G2Key2020",
};

/** TrustVC 1's @trustvc/w3c-vc, which signed and derived BbsBlsSignature2020 credentials. */
const trustvc1 = () => {
  const dir = versionFrom("@trustvc/w3c-vc", versionFrom("@tradetrust-tt/tradetrust", here).dir);
  if (!dir?.version.startsWith("1.")) throw new Error(`@trustvc/w3c-vc 1.x not found: ${JSON.stringify(dir)}`);
  return require(dir.dir);
};

const newIssuer = async (dir, host, suites, emit) => {
  const indexFile = path.join(dir, "index.json");
  mkdirSync(dir, { recursive: true });
  const index = readIndex(dir);
  const url = `https://${host}/.well-known/did.json`;
  const file = `${host}/.well-known/did.json`;
  const did = `did:web:${host}`;
  const { trustvc } = trustvcIn(dir);
  const keys = {};
  // The second key joins the DID document the first made, which the world now serves.
  for (const suite of suites.length > 0 ? suites : ["ecdsa-sd-2023", "bbs-2023"]) {
    const type = keyTypes[suite];
    if (!type) throw new Error(`no key type for the suite ${suite}`);
    const { wellKnownDid, didKeyPairs } = await trustvc.issuer.issueDID({ domain: `https://${host}`, type });
    mkdirSync(path.join(dir, host, ".well-known"), { recursive: true });
    writeFileSync(path.join(dir, file), `${JSON.stringify(wellKnownDid, null, 2)}\n`);
    index.files[url] = file;
    index.kinds[url] = "did";
    index.dids[did] = url;
    writeFileSync(indexFile, `${JSON.stringify(index, null, 2)}\n`);
    keys[suite] = didKeyPairs;
  }
  emit(keys);
};

const sign = async (dir, keysFile, suite, input, emit) => {
  const keyPair = JSON.parse(readFileSync(keysFile, "utf8"))[suite];
  const { trustvc } = trustvcIn(dir);
  const signW3C =
    suite === "BbsBlsSignature2020"
      ? (credential) => trustvc1().signCredential(credential, keyPair, suite)
      : trustvc.signW3C;
  for (const credential of input()) {
    const signed = await signW3C(credential, keyPair, suite);
    if (signed.error) throw new Error(`signW3C: ${signed.error}`);
    emit(signed.signed);
  }
};

const statusList = async (dir, keysFile, suite, input, emit) => {
  const keyPair = JSON.parse(readFileSync(keysFile, "utf8"))[suite];
  const { trustvc } = trustvcIn(dir);
  const { StatusList, createCredentialStatusPayload } = trustvc.credentialStatus;
  for (const { url, purpose, length, set, type } of input()) {
    const list = new StatusList({ length });
    for (const index of set) list.setStatus(index, true);
    const kind = type ?? "BitstringStatusListCredential";
    const credentialSubject = {
      id: `${url}#list`,
      type: kind === "StatusList2021Credential" ? "StatusList2021" : "BitstringStatusList",
      statusPurpose: purpose,
      encodedList: await list.encode(),
    };
    const payload = await createCredentialStatusPayload({ id: url, credentialSubject }, keyPair, kind, suite);
    const signed = await trustvc.signW3C({ id: url, ...payload }, keyPair, suite);
    if (signed.error) throw new Error(`signW3C: ${signed.error}`);
    const file = `${new URL(url).host}${new URL(url).pathname}.json`;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), `${JSON.stringify(signed.signed, null, 2)}\n`);
    const index = readIndex(dir);
    index.files[url] = file;
    index.kinds[url] = "status-list";
    writeFileSync(path.join(dir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
    emit(signed.signed);
  }
};

const derive = async (dir, input, emit) => {
  const { trustvc } = trustvcIn(dir);
  for (const { credential, pointers, frame } of input()) {
    const derived = frame
      ? await trustvc1().deriveCredential(credential, frame)
      : await trustvc.deriveW3C(credential, pointers);
    const answer = derived.error ? { error: String(derived.error) } : derived.derived;
    emit(answer);
  }
};

/** The package `name` as the code in the folder `dir` requires it. */
const requireFrom = (name, dir) => require(require.resolve(name, { paths: [dir] }));

/** The folder of the @trustvc/w3c-vc that TrustVC signs and verifies with. */
const w3cVcDir = () =>
  path.dirname(require.resolve("@trustvc/w3c-vc", { paths: [versionFrom("@trustvc/trustvc", here).dir] }));

/** The folder of di-sd-primitives, which both selective disclosure suites build on. */
const sdPrimitivesDir = () => versionFrom("@digitalbazaar/di-sd-primitives", w3cVcDir()).dir;

const canonize = async (input, emit) => {
  // The copy di-sd-primitives canonicalizes with.
  const canonizer = requireFrom("rdf-canonize", sdPrimitivesDir());
  for (const { nquads } of input()) {
    const canonicalIdMap = new Map();
    let answer;
    try {
      const canonical = await canonizer.canonize(nquads, {
        algorithm: "RDFC-1.0",
        inputFormat: "application/n-quads",
        canonicalIdMap,
      });
      answer = { canonical, labels: [...canonicalIdMap.entries()] };
    } catch (e) {
      answer = { error: String(e?.message ?? e) };
    }
    emit(answer);
  }
};

/** What a JSON-LD operation failed with; `code` the most specific one jsonld.js gives. */
const jsonldError = (e) => ({
  name: e?.name ?? null,
  message: String(e?.message ?? e),
  code: e?.details?.code ?? e?.details?.event?.code ?? null,
});

/**
 * The JSON-LD operations as di-sd-primitives runs them: expansion and compaction as
 * skolemizeCompactJsonLd calls them, toRDF with the options `canonicalize` gives it.
 */
const jsonldOperations = (jsonld) => ({
  expand: async ({ document }, options) => ({ expanded: await jsonld.expand(document, options) }),
  compact: async ({ document, context }, options) => ({
    compacted: await jsonld.compact(document, context, options),
  }),
  "to-rdf": async ({ document }, options) => ({
    nquads: await jsonld.toRDF(document, {
      base: null,
      rdfDirection: "i18n-datatype",
      produceGeneralizedRdf: false,
      format: "application/n-quads",
      ...options,
    }),
  }),
});

const jsonldCommand = async (input, emit) => {
  // Contexts TrustVC does not bundle are never fetched: a line brings them itself.
  answerWith(async (input) => {
    throw unknownHost(urlOf(input));
  });
  const { getDocumentLoader } = requireFrom("@trustvc/w3c-context", w3cVcDir());
  const operations = jsonldOperations(requireFrom("jsonld", sdPrimitivesDir()));
  const ContextResolver = requireFrom("jsonld/lib/ContextResolver.js", sdPrimitivesDir());
  for (const line of input()) {
    // A line the harness got wrong stops the run: it is no answer of jsonld.js.
    const operation = operations[line.op];
    if (!operation) throw new Error(`unknown op ${JSON.stringify(line.op)}: expand, compact or to-rdf`);
    let answer;
    try {
      const documentLoader = await getDocumentLoader(line.contexts);
      // Each line sees jsonld.js as a fresh process does: its shared cache of resolved contexts
      // keeps a context that @imports another merged in place, so a second look would differ.
      const contextResolver = new ContextResolver({ sharedCache: new Map() });
      answer = await operation(line, { safe: true, documentLoader, contextResolver });
    } catch (e) {
      answer = { error: jsonldError(e) };
    }
    emit(answer);
  }
};

/** OpenAttestation v3 by the reference: `op` on each line, a throw answered as an error. */
const openAttestation3 = async (op, dir, input, emit) => {
  answerWith(world(dir).fetch);
  const tradetrust = require("@tradetrust-tt/tradetrust");
  const { Wallet } = require("ethers");
  const operations = {
    wrap: (batch) => tradetrust.__unsafe__use__it__at__your__own__risks__wrapDocuments(batch),
    obfuscate: ({ document, fields }) => tradetrust.obfuscateDocument(document, fields),
    sign: ({ document, privateKey }) =>
      tradetrust.signDocument(document, "Secp256k1VerificationKey2018", new Wallet(privateKey)),
    verify: (document) => ({ valid: tradetrust.verifySignature(document) === true }),
  };
  if (op === "bench") {
    const raws = input();
    let t = process.hrtime.bigint();
    const wrapped = await tradetrust.__unsafe__use__it__at__your__own__risks__wrapDocuments(raws);
    const wrapSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const valid = wrapped.filter((document) => tradetrust.verifySignature(document)).length;
    const verifySeconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (valid !== wrapped.length) throw new Error(`only ${valid} of ${wrapped.length} verified`);
    emit({ documents: wrapped.length, wrapSeconds, verifySeconds });
    return;
  }
  const operation = operations[op];
  if (!operation) throw new Error(`unknown oa3 operation ${JSON.stringify(op)}: wrap, obfuscate, sign, verify or bench`);
  for (const line of input()) {
    let answer;
    try {
      answer = await operation(line);
    } catch (e) {
      answer = { error: String(e?.message ?? e) };
    }
    emit(answer);
  }
};

const usage =
  "usage: oracle-w3c.mjs versions | new-issuer WORLD_DIR HOST [SUITE...] | sign WORLD_DIR KEYS_FILE SUITE | status-list WORLD_DIR KEYS_FILE SUITE | derive WORLD_DIR | canonize | jsonld | verify WORLD_DIR FILE... | oa3 OPERATION WORLD_DIR | serve";

/**
 * Runs `command` with `args`: `input()` its JSON lines, `emit` takes each answer, `env` the
 * environment it reads. False for a command there is not.
 */
const run = async (command, args, input, emit, env) => {
  switch (command) {
    case "versions":
      emit(versions());
      break;
    case "new-issuer":
      await newIssuer(args[0], args[1], args.slice(2), emit);
      break;
    case "sign":
      await sign(args[0], args[1], args[2], input, emit);
      break;
    case "derive":
      await derive(args[0], input, emit);
      break;
    case "canonize":
      await canonize(input, emit);
      break;
    case "jsonld":
      await jsonldCommand(input, emit);
      break;
    case "status-list":
      await statusList(args[0], args[1], args[2], input, emit);
      break;
    case "verify":
      await verify(args[0], args.slice(1), emit, env);
      break;
    case "oa3":
      await openAttestation3(args[0], args[1], input, emit);
      break;
    default:
      return false;
  }
  return true;
};

/**
 * Answers requests, one JSON line each on standard input — {"args": [command, ...],
 * "env"?: {NAME: value}, "input"?: the command's JSON lines as text} — with one JSON line
 * each: {"answers": [...]} or {"error": message}. Until standard input ends.
 */
const serve = async () => {
  // Work a request left behind (a chain provider finding its network, say) must not end the
  // server while it answers another; it is told, and the server goes on.
  process.on("unhandledRejection", (e) => process.stderr.write(`unhandled rejection: ${e?.stack ?? e}\n`));
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let reply;
    try {
      const { args: [command, ...args], env = {}, input = "" } = JSON.parse(line);
      const answers = [];
      const known = await run(command, args, () => parseLines(input), (value) => answers.push(value), {
        ...process.env,
        ...env,
      });
      reply = known ? { answers } : { error: usage };
    } catch (e) {
      reply = { error: String(e?.stack ?? e) };
    }
    await new Promise((resolve) => process.stdout.write(`${JSON.stringify(reply)}\n`, resolve));
  }
};

const [command, ...args] = process.argv.slice(2);
if (command === "serve") {
  await serve();
} else {
  const emit = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const input = () => parseLines(readFileSync(0, "utf8"));
  if (!(await run(command, args, input, emit, process.env))) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
}
// Providers and loaders may keep handles open, so the process is ended here; but a pipe is
// written asynchronously, and ending before it has taken every answer would cut them short.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(0);
