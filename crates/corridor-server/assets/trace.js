// The trace page: an item checked by its code — scanned with the phone's camera where the
// browser has a barcode detector, typed otherwise — as a self-service checkout would ask
// (GET /api/trace/check); and, for operators, a lot's place in the chain (GET
// /api/trace/graph) and a form that records an EPCIS event (POST /events, with a trace token).
import { $, api, el, problem, rememberToken } from "./common.js";

// The answer's look: green only for a confirmed "sell"; a code no event names is not known,
// which is neither approval nor a finding against the item.
const look = (answer) => {
  if (answer.decision === "sell") return ["sell", "Fine to sell"];
  if (answer.reasons.some((r) => r.code === "unknown")) return ["unknown", "Not known here"];
  return ["stop", "Do not sell"];
};

const showCheck = (answer) => {
  const [kind, words] = look(answer);
  const page = answer.id && answer.id.startsWith("https://id.gs1.org/")
    ? el("p", {}, el("a", { id: "trace-page", href: answer.id.slice("https://id.gs1.org".length) }, "Its page, as a shopper sees it"))
    : null;
  $("trace-result").replaceChildren(
    el("div", { id: "trace-verdict", class: `verdict ${kind}` }, words,
      el("ul", {}, answer.reasons.map((r) => el("li", { "data-code": r.code }, r.message)))),
    answer.id ? el("p", { class: "note" }, "Item ", el("code", {}, answer.id)) : null,
    answer.bestBefore ? el("p", { class: "note" }, `Best before ${answer.bestBefore}`) : null,
    page,
  );
};

const check = async (code) => {
  const out = $("trace-result");
  if (!code) {
    out.replaceChildren(el("p", { class: "error", id: "trace-error" }, "Scan or type the item's code first."));
    return;
  }
  out.replaceChildren(el("p", { class: "note" }, "Checking…"));
  const { ok, answer } = await api("GET", `/api/trace/check?link=${encodeURIComponent(code)}`);
  if (!ok) {
    out.replaceChildren(el("p", { class: "error", id: "trace-error" }, `Not checked: ${problem(answer)}`));
    return;
  }
  showCheck(answer);
};

// The camera, where the browser can read QR codes from it: the first code seen is checked.
const scan = async () => {
  const video = $("trace-camera");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) {
    $("trace-result").replaceChildren(el("p", { class: "error", id: "trace-error" }, `The camera cannot be used: ${e.message}. Type the code instead.`));
    return;
  }
  const detector = new window.BarcodeDetector({ formats: ["qr_code", "data_matrix"] });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
  const watchFrames = async () => {
    if (video.hidden) return;
    const [code] = await detector.detect(video).catch(() => []);
    if (!code) { setTimeout(watchFrames, 250); return; }
    stop();
    $("trace-code").value = code.rawValue;
    check(code.rawValue);
  };
  watchFrames();
};

const list = (id, title, items) => el("div", { id },
  el("h4", {}, title),
  items.length ? el("ul", {}, items.map((item) => el("li", {}, el("code", {}, item)))) : el("p", { class: "note" }, "none"));

const showGraph = (graph) => {
  const { provenance, upstream, downstream } = graph;
  const broken = provenance.breaks.length;
  const kinds = [...new Set(provenance.breaks.map((b) => b.kind))];
  const origins = provenance.origins.map((o) => `${o.id}${o.site ? ` (site ${o.site})` : ""}`);
  const affected = downstream.affected;
  $("graph-result").replaceChildren(
    el("div", { id: "graph-verdict", class: `verdict ${broken ? "stop" : "sell"}` },
      broken ? `${broken} break(s) in its provenance: ${kinds.join(", ")}` : "Clean: every step vouched for"),
    el("div", { class: "graph" },
      el("div", {}, list("graph-origins", "Origins", origins), list("graph-upstream", "Came from", upstream)),
      el("div", { id: "graph-target" }, el("h4", {}, `This ${provenance.unit}`), el("code", {}, graph.target)),
      el("div", {},
        list("graph-lots", "Went into: lots", affected.lots.filter((l) => l !== graph.target)),
        list("graph-units", "Logistic units", affected.logisticUnits),
        el("p", { id: "graph-items" }, `${affected.items} item(s), ${affected.itemsSold} sold`),
        downstream.notSoldByLastSite.length
          ? el("ul", { id: "graph-stock" }, downstream.notSoldByLastSite.map((s) => el("li", {}, `${s.items.length} unsold at ${s.site || "no known site"}`)))
          : null)),
  );
};

const graph = async (event) => {
  event.preventDefault();
  const target = $("graph-code").value.trim();
  const { ok, answer } = await api("GET", `/api/trace/graph?target=${encodeURIComponent(target)}`);
  if (!ok) {
    $("graph-result").replaceChildren(el("p", { class: "error", id: "graph-error" }, problem(answer)));
    return;
  }
  showGraph(answer);
};

// The zone offset of this device's clock, as EPCIS writes it.
const offset = (date) => {
  const minutes = -date.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
};

const record = async (event) => {
  event.preventDefault();
  const out = $("record-result");
  const epcs = $("record-epcs").value.split(/\s+/).filter(Boolean);
  if (!epcs.length) {
    out.replaceChildren(el("p", { class: "error", id: "record-error" }, "Name at least one item, lot or unit."));
    return;
  }
  const now = new Date();
  const epcisEvent = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    type: "ObjectEvent",
    eventTime: now.toISOString(),
    eventTimeZoneOffset: offset(now),
    epcList: epcs,
    action: $("record-action").value,
    bizStep: $("record-step").value,
  };
  if ($("record-disposition").value) epcisEvent.disposition = $("record-disposition").value;
  if ($("record-read-point").value.trim()) epcisEvent.readPoint = { id: $("record-read-point").value.trim() };
  if ($("record-location").value.trim()) epcisEvent.bizLocation = { id: $("record-location").value.trim() };
  const celsius = $("record-temperature").value.trim();
  if (celsius !== "") {
    epcisEvent.sensorElementList = [{ sensorReport: [{ type: "gs1:Temperature", value: Number(celsius), uom: "CEL", time: now.toISOString() }] }];
  }
  const headers = { "content-type": "application/json", authorization: `Bearer ${$("record-token").value.trim()}` };
  const response = await fetch("/events", { method: "POST", headers, body: JSON.stringify(epcisEvent) }).catch(() => null);
  if (!response) {
    out.replaceChildren(el("p", { class: "error", id: "record-error" }, "The server cannot be reached."));
    return;
  }
  if (response.status !== 201) {
    const refusal = await response.json().catch(() => ({}));
    out.replaceChildren(el("p", { class: "error", id: "record-error" }, `Not recorded: ${refusal.detail || response.statusText}`));
    return;
  }
  await response.text();
  const id = decodeURIComponent(response.headers.get("location").replace(/^\/events\//, ""));
  out.replaceChildren(el("p", { class: "done", id: "recorded" }, "Recorded, signed and kept: ", el("code", { id: "recorded-id" }, id)));
};

export const start = () => {
  $("trace-find").addEventListener("submit", (event) => { event.preventDefault(); check($("trace-code").value.trim()); });
  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("trace-scan").hidden = false;
    $("trace-scan").addEventListener("click", scan);
  }
  $("graph-find").addEventListener("submit", graph);
  rememberToken($("record-token"));
  $("record-form").addEventListener("submit", record);
  const code = new URLSearchParams(location.search).get("code");
  if (code && location.pathname === "/trace") {
    $("trace-code").value = code;
    check(code);
  }
};
