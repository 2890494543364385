// The titles page: for a transferable record (an electronic bill of lading) in the embedded
// registry or on the server's chain, who owns and holds it now, its history as a timeline, and
// the actions open to the party whose key is given — signed here and sent: for the embedded
// registry as EIP-712 typed data to POST /api/titles/actions; on a chain as the transaction
// POST /api/titles/transactions/prepare gives, signed as a legacy (EIP-155) transaction and
// sent to POST /api/titles/transactions. The key never leaves the page.
import { $, api, el, fromHex, problem, rememberToken, toHex, unsalt } from "./common.js";

const { keccak_256: keccak, secp256k1 } = window.Vendor;

const SAYS = {
  mint: "Issued to its first owner and holder",
  nominate: "Owner nominated the next owner",
  endorse: "Endorsed to a new owner",
  "transfer-holder": "Passed to a new holder",
  "transfer-owners": "Passed to a new owner and holder",
  "reject-endorsement": "New owner refused the endorsement",
  "reject-holder": "New holder refused the document",
  "reject-owners": "New owner and holder refused both",
  surrender: "Surrendered to the issuer",
  "accept-surrender": "Surrender accepted: the title has ended",
  "reject-surrender": "Surrender refused: back with its holder",
};
// What each action needs besides a remark.
const NEEDS = {
  nominate: ["nominee"], endorse: ["nominee"], "transfer-holder": ["holder"], "transfer-owners": ["nominee", "holder"],
};
const ZERO = "0x0000000000000000000000000000000000000000";
const CUSTODY = { escrow: "live", surrendered: "surrendered to the issuer, awaiting its decision", burnt: "ended (surrendered and accepted)" };

let current = null; // {registry, token, ledger}
let party = null; // {key, address}

const text = (s) => new TextEncoder().encode(s);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  parts.forEach((p) => { out.set(p, at); at += p.length; });
  return out;
};
const word = (hex) => { // a 32-byte ABI word from hex (an address or a uint256)
  const bytes = fromHex(hex);
  return concat(new Uint8Array(32 - bytes.length), bytes);
};
const uint = (n) => word(BigInt(n).toString(16).padStart(64, "0"));

// The EIP-712 hash of a TitleAction in `domain`, the signing domain the server names for the
// registry (its chain id and its store's salt: the action holds in this deployment only), as
// corridor-title defines it.
const signingHash = (a, d) => {
  const domainType = keccak(text("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)"));
  const domain = keccak(concat(domainType, keccak(text(d.name)), keccak(text(d.version)), uint(d.chainId),
    word(d.verifyingContract), fromHex(d.salt)));
  const actionType = keccak(text("TitleAction(uint256 tokenId,string action,address beneficiary,address holder,bytes remark,address actor,uint256 nonce)"));
  const message = keccak(concat(actionType, word(a.token), keccak(text(a.action)), word(a.beneficiary || a.nominee || ZERO),
    word(a.holder || ZERO), keccak(fromHex(a.remark)), word(a.actor), uint(a.nonce)));
  return keccak(concat(new Uint8Array([0x19, 0x01]), domain, message));
};

// A number as RLP takes it: big-endian bytes without leading zeros (none at all for zero).
const quantity = (n) => {
  const hex = BigInt(n).toString(16);
  return hex === "0" ? new Uint8Array(0) : fromHex(hex.length % 2 ? `0${hex}` : hex);
};
// Ethereum's recursive length prefix: a byte string, or a list of items.
const rlp = (item) => {
  const prefix = (length, offset) => {
    if (length < 56) return new Uint8Array([offset + length]);
    const bytes = quantity(BigInt(length));
    return concat(new Uint8Array([offset + 55 + bytes.length]), bytes);
  };
  if (Array.isArray(item)) {
    const body = concat(...item.map(rlp));
    return concat(prefix(body.length, 0xc0), body);
  }
  return item.length === 1 && item[0] < 0x80 ? item : concat(prefix(item.length, 0x80), item);
};

// `tx` (as the prepare route answers it) signed by `key`: a legacy transaction with EIP-155's
// replay protection, the raw bytes eth_sendRawTransaction takes.
const signTransaction = (tx, key) => {
  const fields = [quantity(tx.nonce), quantity(tx.gasPrice), quantity(tx.gasLimit), fromHex(tx.to), quantity(tx.value), fromHex(tx.data)];
  const chainId = BigInt(tx.chainId);
  const hash = keccak(rlp([...fields, quantity(chainId), new Uint8Array(0), new Uint8Array(0)]));
  const signature = secp256k1.Signature.fromBytes(secp256k1.sign(hash, key, { prehash: false, format: "recovered" }), "recovered");
  const v = chainId * 2n + 35n + BigInt(signature.recovery);
  return `0x${toHex(rlp([...fields, quantity(v), quantity(signature.r), quantity(signature.s)]))}`;
};

const addressOf = (key) => `0x${toHex(keccak(secp256k1.getPublicKey(key, false).slice(1)).slice(12))}`;

const short = (address) => `${address.slice(0, 8)}…${address.slice(-6)}`;
const who = (address) => el("code", { title: address, "data-address": address.toLowerCase() },
  party && address.toLowerCase() === party.address ? `${short(address)} (you)` : short(address));
// A remark comes as its text, or as 0x and hex when it is not text (or begins with "0x").
const remarkText = (remark) => {
  if (!remark || !remark.startsWith("0x")) return remark || "";
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(fromHex(remark));
  } catch {
    return remark;
  }
};

const show = async () => {
  const out = $("title-result");
  const query = party ? `?party=${party.address}` : "";
  const [t, h] = await Promise.all([
    api("GET", `/api/titles/${current.registry}/${current.token}${query}`),
    api("GET", `/api/titles/${current.registry}/${current.token}/history`),
  ]);
  if (!t.ok) {
    out.replaceChildren(el("p", { class: "error", id: "title-error" }, problem(t.answer)));
    $("title-act").hidden = true;
    return;
  }
  const title = t.answer.title;
  const { ledger } = t.answer;
  current.ledger = ledger;
  const live = title.custody === "escrow";
  out.replaceChildren(
    el("dl", { class: "title-now", id: "title-now" },
      el("dt", {}, "Owner"), el("dd", { id: "title-owner" }, live ? who(title.beneficiary) : "—"),
      el("dt", {}, "Holder"), el("dd", { id: "title-holder" }, live ? who(title.holder) : "—"),
      title.nominee !== ZERO ? [el("dt", {}, "Nominated next owner"), el("dd", {}, who(title.nominee))] : null,
      el("dt", {}, "State"), el("dd", { id: "title-state" }, CUSTODY[title.custody] || title.custody),
      el("dt", {}, "Recorded"), el("dd", { id: "title-ledger" }, ledger.kind === "chain"
        ? `on the chain ${ledger.network} (chain id ${ledger.chainId}), Token Registry ${ledger.registryVersion}`
        : "in this server's title registry")),
    el("h3", {}, "History"),
    h.ok ? el("ol", { class: "timeline", id: "timeline" }, h.answer.history.map((e) => el("li", { "data-action": e.action },
      el("strong", {}, SAYS[e.action] || e.action),
      el("span", { class: "when" }, ` ${new Date(e.at * 1000).toLocaleString()}`),
      el("div", {}, "by ", who(e.actor), e.action === "accept-surrender" ? null : [" · owner ", who(e.beneficiary), " · holder ", who(e.holder)]),
      remarkText(e.remark) ? el("div", { class: "remark" }, `“${remarkText(e.remark)}”`) : null,
      el("div", { class: "reference" }, e.reference))))
      : el("p", { class: "error" }, problem(h.answer)),
  );
  $("title-act").hidden = false;
  showOpen(t.answer.party, title);
};

const showOpen = (you, title) => {
  const list = $("open-actions");
  $("action-form").replaceChildren();
  if (!party || !you) {
    $("party").textContent = "Give your key to see what you may do.";
    list.replaceChildren();
    return;
  }
  $("party").textContent = you.open.length ? `As ${party.address} you may:` : `As ${party.address} you may not act on this title now.`;
  list.replaceChildren(...you.open.map((name) => {
    const button = el("button", { type: "button", "data-act": name }, name.replace(/-/g, " "));
    button.addEventListener("click", () => actionForm(name, you.nonce, title));
    return button;
  }));
};

const actionForm = (name, nonce, title) => {
  const inputs = (NEEDS[name] || []).map((need) => el("input", { id: `act-${need}`, placeholder: "0x…", spellcheck: "false", size: "44",
    value: need === "nominee" && title.nominee !== ZERO ? title.nominee : undefined }));
  const remark = el("input", { id: "act-remark", maxlength: "120" });
  const send = el("button", { type: "button", id: "act-send" }, `Sign and ${name.replace(/-/g, " ")}`);
  send.addEventListener("click", () => act(name, nonce));
  $("action-form").replaceChildren(
    ...(NEEDS[name] || []).map((need, i) => el("label", {}, need === "nominee" ? "New owner " : "New holder ", inputs[i])),
    // Token Registry v4 keeps no remarks.
    current.ledger.registryVersion === "v4" ? null : el("label", {}, "Remark ", remark), send);
};

const act = async (name, nonce) => {
  const result = $("act-result");
  const action = { action: name, remark: `0x${toHex(text($("act-remark")?.value || ""))}` };
  for (const need of NEEDS[name] || []) {
    const value = $(`act-${need}`).value.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
      result.textContent = `The ${need === "nominee" ? "new owner" : "new holder"} must be an address: 0x and 40 hex digits.`;
      return;
    }
    action[need] = value.toLowerCase();
  }
  const send = $("act-send");
  send.disabled = true;
  send.textContent = "Signing and sending…";
  const apiToken = $("title-token-api").value.trim();
  const { ok, answer } = current.ledger.kind === "chain" ? await actOnChain(action, apiToken) : await actEmbedded(action, nonce, apiToken);
  result.textContent = ok ? `Done: ${SAYS[name] || name} (${answer.reference}).` : `Refused: ${problem(answer)}`;
  result.className = ok ? "done" : "error";
  await show();
};

// Signs the action as EIP-712 typed data and submits it to the embedded registry.
const actEmbedded = (fields, nonce, apiToken) => {
  const action = { registry: current.registry, token: current.token, actor: party.address, nonce, ...fields };
  const signature = secp256k1.Signature.fromBytes(
    secp256k1.sign(signingHash(action, current.ledger.signingDomain), party.key, { prehash: false, format: "recovered" }),
    "recovered");
  action.signature = { r: `0x${signature.r.toString(16)}`, s: `0x${signature.s.toString(16)}`, yParity: `0x${signature.recovery}` };
  return api("POST", "/api/titles/actions", action, apiToken);
};

// Has the server prepare the party's transaction (refused there if the contract would refuse
// it), signs it here and has the server send it and wait for it.
const actOnChain = async (fields, apiToken) => {
  const title = { registry: current.registry, token: current.token };
  const prepared = await api("POST", "/api/titles/transactions/prepare", { ...title, party: party.address, ...fields });
  if (!prepared.ok) return prepared;
  const transaction = signTransaction(prepared.answer, party.key);
  return api("POST", "/api/titles/transactions", { ...title, transaction }, apiToken);
};

const open = async (registry, token) => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(registry) || !/^(0x)?[0-9a-fA-F]{64}$/.test(token)) {
    $("title-result").replaceChildren(el("p", { class: "error", id: "title-error" },
      "Give the registry's address (0x and 40 hex digits) and the token (64 hex digits), or open the document."));
    return;
  }
  current = { registry: registry.toLowerCase(), token: `0x${token.replace(/^0x/, "").toLowerCase()}` };
  $("title-registry").value = current.registry;
  $("title-token").value = current.token;
  history.replaceState({}, "", `/titles?registry=${current.registry}&token=${current.token}`);
  await show();
};

export const start = () => {
  rememberToken($("title-token-api"));
  $("title-find").addEventListener("submit", (e) => { e.preventDefault(); open($("title-registry").value.trim(), $("title-token").value.trim()); });
  $("title-file").addEventListener("change", async (e) => {
    const [file] = e.target.files;
    if (!file) return;
    try {
      const document = JSON.parse(await file.text());
      const registry = unsalt(document.data.issuers[0].tokenRegistry);
      if (!registry) throw new Error("no token registry");
      await open(registry, document.signature.merkleRoot);
    } catch (_) {
      $("title-result").replaceChildren(el("p", { class: "error", id: "title-error" },
        `${file.name} is not a transferable record: it names no token registry.`));
    }
  });
  $("party-key").addEventListener("change", async () => {
    const key = fromHex($("party-key").value);
    $("party-key").value = "";
    party = key && key.length === 32 && secp256k1.utils.isValidSecretKey(key) ? { key, address: addressOf(key) } : null;
    if (!party) $("party").textContent = "That is not a private key: 64 hex digits.";
    else if (current) await show();
  });
  const params = new URLSearchParams(location.search);
  if (params.get("registry") && params.get("token")) open(params.get("registry"), params.get("token"));
};
