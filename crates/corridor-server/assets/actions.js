// TradeTrust's action links, the QR codes on its documents and its shares:
// `https://actions.tradetrust.io?q=<action>#<anchor>`, the action
// `{"type": "DOCUMENT", "payload": {uri, key?, permittedActions?, redirect, chainId?}}` as JSON,
// the anchor `{"key"}` as JSON (a key there is never sent to a server, and wins over one in the
// payload, as TradeTrust's website reads it). The same query on this portal's own address
// (`/?q=…#…`, where `redirect` leads) opens here.

// Where action links are made: TradeTrust's action router, OpenAttestation's before it.
const ROUTERS = ["https://actions.tradetrust.io", "https://action.openattestation.com"];

// What an action link asks: {uri, key, redirect, chainId}, or throws saying why it is not one.
// `url` is the link (or this page's own address).
export const readAction = (url) => {
  let link;
  try {
    link = new URL(url);
  } catch (e) {
    throw new Error("it is not a link");
  }
  const query = link.searchParams.get("q");
  if (!query || ![...ROUTERS, location.origin].includes(link.origin)) {
    throw new Error("it is not a TradeTrust action link (https://actions.tradetrust.io?q=…)");
  }
  let action;
  let anchor = {};
  try {
    action = JSON.parse(query);
    const hash = decodeURIComponent(link.hash.slice(1));
    if (hash) anchor = JSON.parse(hash);
  } catch (e) {
    throw new Error("its action is not JSON");
  }
  if (!action || action.type !== "DOCUMENT") throw new Error(`its action is ${JSON.stringify(action && action.type)}, not DOCUMENT`);
  const payload = action.payload || {};
  if (typeof payload.uri !== "string") throw new Error("its action names no document (payload.uri)");
  const key = (anchor && anchor.key) || payload.key;
  return { uri: payload.uri, key: typeof key === "string" ? key : undefined, redirect: payload.redirect, chainId: payload.chainId };
};

// The action link of a document kept at `uri`, opened with `key`: through TradeTrust's router,
// which sends it on to `redirect` (one of TradeTrust's own hosts: it forwards to no other);
// the key in the anchor, out of every server's sight.
export const actionLink = ({ uri, key, redirect, chainId }, router = ROUTERS[0]) => {
  const action = { type: "DOCUMENT", payload: { uri, permittedActions: ["VIEW"], redirect, ...(chainId ? { chainId } : {}) } };
  const anchor = key ? `#${encodeURIComponent(JSON.stringify({ key }))}` : "";
  return `${router}?q=${encodeURIComponent(JSON.stringify(action))}${anchor}`;
};

// The same link on this portal's own address, which opens here without TradeTrust's router.
export const portalLink = (action) => actionLink(action, location.origin + "/");
