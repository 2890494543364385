// An issuer's own renderer: the web page a document names to draw it (OpenAttestation v2's
// `$template.url`, v3's `openAttestationMetadata.template.url`, a W3C credential's
// EMBEDDED_RENDERER `renderMethod`), loaded in a sandboxed frame and spoken to in TradeTrust's
// decentralized-renderer protocol. The portal sends RENDER_DOCUMENT, SELECT_TEMPLATE and
// PRINT; the renderer sends UPDATE_HEIGHT, UPDATE_TEMPLATES and OBFUSCATE. The handshake is
// penpal's, version 6 and, for renderers made before it, 4, tried at once as TradeTrust's
// own host does. Only the renderers this deployment allows are loaded (the page's meta
// `corridor-renderers`, which its content security policy lists as the frames it may show);
// a document naming another, or a renderer that does not answer, is laid out by the built-in
// template, and the page says so.
import { api, el, problem, unsalt } from "./common.js";

// How long to wait for a renderer's handshake: what the deployment says (`--renderer-wait`;
// 5 seconds, as TradeTrust's host waits, by default).
const handshakeMs = () => {
  const meta = document.querySelector('meta[name="corridor-renderer-wait"]');
  const ms = Number(meta ? meta.content : NaN);
  return Number.isFinite(ms) && ms > 0 ? ms : 5000;
};
// Its own origin, scripts, print dialogs and links in new tabs; never the portal's page.
const SANDBOX = "allow-scripts allow-same-origin allow-modals allow-popups";
// A renderer says how tall it is; past this it is cut, not the page stretched without end.
const MAX_HEIGHT = 30000;
const MAX_TEMPLATES = 50;
const MAX_PATH = 1000;

const isObject = (v) => Boolean(v) && typeof v === "object" && !Array.isArray(v);
const OA_V3 = "https://schema.openattestation.com/3.0/schema.json";

// What a document gives its renderer, as TradeTrust's host gives it: a v2 document's data as
// its issuer wrote it (salts removed, as getData does); a v3 document without its proof; a W3C
// credential whole.
const payloadOf = (document) => {
  if (document.version === OA_V3) {
    const { proof, ...credential } = document;
    return credential;
  }
  return "@context" in document ? document : unsalt(document.data);
};

// The renderer a document names: {url, origin}, or undefined when it names none (or names one
// by anything but an http(s) URL).
export const namedRenderer = (document) => {
  if (!isObject(document)) return undefined;
  let template;
  if (document.version === OA_V3) {
    template = isObject(document.openAttestationMetadata) ? document.openAttestationMetadata.template : undefined;
    template = isObject(template) ? { type: template.type, url: template.url } : undefined;
  } else if ("@context" in document) {
    const method = [].concat(document.renderMethod ?? [])[0];
    template = isObject(method) ? { type: method.type, url: method.id } : undefined;
  } else if (isObject(document.data)) {
    const data = unsalt(document.data.$template);
    template = isObject(data) ? { type: data.type, url: data.url } : undefined;
  }
  if (!template || template.type !== "EMBEDDED_RENDERER" || typeof template.url !== "string") return undefined;
  try {
    const url = new URL(template.url);
    if (!["https:", "http:"].includes(url.protocol)) return undefined;
    return { url: url.href, origin: url.origin };
  } catch (e) {
    return undefined;
  }
};

// Whether this deployment loads renderers from `origin`.
const admitted = (origin) => {
  const meta = document.querySelector('meta[name="corridor-renderers"]');
  const allowed = (meta ? meta.content : "").split(/\s+/).filter(Boolean);
  return allowed.includes(origin) || (allowed.includes("https:") && origin.startsWith("https://"));
};

// The built-in layout, with a line above it saying why the issuer's renderer does not draw it.
const builtInSaying = (why, builtIn, state, origin) => el("div", { class: "renderer", "data-state": state, "data-origin": origin },
  el("p", { class: "note renderer-note" }, why), builtIn());

// The document as its renderer draws it, or, when the deployment does not allow that renderer
// or it does not answer, as `builtIn()` lays it out. `onHide(path)` hides a field the renderer
// asks to (OBFUSCATE), when the document can hide fields; it answers a problem, or null.
export const renderedDocument = (document, builtIn, { onHide } = {}) => {
  const renderer = namedRenderer(document);
  // A document naming this portal is drawn by its built-in templates (the portal's own form
  // names it so).
  if (!renderer || renderer.origin === location.origin) return builtIn();
  if (!admitted(renderer.origin)) {
    return builtInSaying(`Its issuer names its own renderer, at ${renderer.origin}, which this portal does not load:`
      + " it is laid out by the built-in template instead.", builtIn, "not-allowed", renderer.origin);
  }
  const frame = el("iframe", {
    src: renderer.url, sandbox: SANDBOX, referrerpolicy: "no-referrer", class: "renderer-frame",
    title: `The document, as its issuer's renderer at ${renderer.origin} draws it`,
  });
  const tabs = el("div", { class: "renderer-tabs", role: "tablist", "aria-label": "Templates" });
  const print = el("button", { type: "button", class: "renderer-print", disabled: true }, "Print");
  const said = el("p", { class: "note renderer-said", "aria-live": "polite" });
  const box = el("div", { class: "renderer", "data-state": "connecting", "data-origin": renderer.origin },
    el("p", { class: "note renderer-note" }, `Drawn by its issuer's renderer, at ${renderer.origin}.`),
    el("div", { class: "renderer-bar" }, tabs, print), said, frame);

  let send = () => {};
  const select = (id) => {
    tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.template === id)));
    send({ type: "SELECT_TEMPLATE", payload: id });
  };
  const showTemplates = (templates) => {
    if (!Array.isArray(templates)) return;
    const offered = templates.slice(0, MAX_TEMPLATES)
      .filter((t) => isObject(t) && typeof t.id === "string" && typeof t.label === "string");
    tabs.replaceChildren(...offered.map((t, i) => {
      const tab = el("button", { type: "button", role: "tab", class: "link", "data-template": t.id, "aria-selected": String(i === 0) }, t.label);
      tab.addEventListener("click", () => select(t.id));
      return tab;
    }));
  };
  const hide = async (path) => {
    if (typeof path !== "string" || !path || path.length > MAX_PATH) return;
    said.textContent = onHide ? `Hiding ${path}…` : `The renderer asked to hide ${path}: hiding fields works on one document at a time.`;
    if (onHide) {
      const refused = await onHide(path);
      if (refused) said.textContent = `${path} cannot be hidden: ${refused}`;
    }
  };
  const fromRenderer = (action) => {
    if (!isObject(action)) return;
    if (action.type === "UPDATE_HEIGHT") setHeight(action.payload);
    else if (action.type === "UPDATE_TEMPLATES") showTemplates(action.payload);
    else if (action.type === "OBFUSCATE") hide(action.payload);
  };
  const setHeight = (h) => {
    const height = Number(h);
    if (Number.isFinite(height) && height > 0) frame.style.height = `${Math.min(Math.ceil(height), MAX_HEIGHT)}px`;
  };
  const methods = {
    dispatch: fromRenderer,
    // What renderers made for penpal 4 call instead.
    updateHeight: setHeight,
    updateTemplates: showTemplates,
    handleObfuscation: hide,
  };
  const timeout = handshakeMs();
  const modern = Vendor.connectToChild({ iframe: frame, methods, timeout });
  const legacy = Vendor.connectToChildV4({ iframe: frame, methods, timeout });
  const payload = { document: payloadOf(document), rawDocument: document };
  Promise.any([modern.promise.then((child) => ({ child, modern: true })), legacy.promise.then((child) => ({ child, modern: false }))])
    .then(({ child, modern: isModern }) => {
      (isModern ? legacy : modern).destroy();
      if (isModern) {
        send = (action) => Promise.resolve(child.dispatch(action)).catch(() => {});
      } else {
        // Penpal 4 renderers name a template by its place among those they offered.
        send = (action) => {
          if (action.type === "RENDER_DOCUMENT") child.renderDocument(action.payload.document, action.payload.rawDocument);
          if (action.type === "PRINT") child.print();
          if (action.type === "SELECT_TEMPLATE") {
            child.selectTemplateTab([...tabs.querySelectorAll("button")].findIndex((b) => b.dataset.template === action.payload));
          }
        };
      }
      send({ type: "RENDER_DOCUMENT", payload });
      print.disabled = false;
      box.dataset.state = "shown";
    })
    .catch(() => {
      modern.destroy();
      legacy.destroy();
      if (!box.isConnected) return;
      box.replaceWith(builtInSaying(`Its issuer's renderer, at ${renderer.origin}, did not answer within ${timeout / 1000} s:`
        + " it is laid out by the built-in template instead.", builtIn, "fallback", renderer.origin));
    });
  print.addEventListener("click", () => send({ type: "PRINT" }));
  return box;
};

// Hides `path` of a wrapped OpenAttestation document on the server (POST /api/obfuscate):
// {document} or {problem}.
export const hideField = async (document, path) => {
  const { ok, answer } = await api("POST", "/api/obfuscate", { document, fields: [path] });
  return ok && isObject(answer.document) ? { document: answer.document } : { problem: problem(answer) };
};
