// The companies page: a partner looks a counterparty up on this node (GET /api/companies, with
// its API token), and sees each company's profile as the node disclosed it: the copy of the
// provider's own credential, verified here (POST /api/verify) and shown only as far as that
// verification goes; what was withheld, and why, under which policy.
import { $, api, el, problem, rememberToken } from "./common.js";
import { renderResult } from "./render.js";
import { dataOf } from "./verify.js";

// Why a field was withheld, in words.
const WHY = {
  never: "never leaves, by the policy",
  "not-listed": "not among what the policy lets leave",
  "basis-missing": "leaves only under a recorded legal basis the policy accepts",
  "minimised:officer-role": "an officer whose role the policy does not pass on",
  "minimised:shareholder-threshold": "a shareholder below the policy's threshold",
  "minimised:financial-years": "a financial year older than the policy passes on",
  "minimised:coarsened": "passed on only as a range",
  refused: "nothing leaves: the policy refuses",
};
const REFUSALS = {
  "basis-missing": "it needs a recorded legal basis (give one, as consent:REFERENCE)",
  "basis-not-accepted": "the legal basis given is not of a kind it accepts",
};

const say = (text, cls = "note") => {
  $("company-results").replaceChildren(el("p", { class: cls, id: cls === "error" ? "company-error" : undefined }, text));
  $("company-results").dataset.state = cls === "error" ? "done" : "looking";
};

// The fields withheld, by reason: each reason with how many fields and which.
const withheldList = (withhold, policy) => {
  const byReason = new Map();
  Object.entries(withhold || {}).forEach(([path, reason]) => {
    byReason.set(reason, [...(byReason.get(reason) || []), path]);
  });
  const count = Object.keys(withhold || {}).length;
  if (!count) return el("p", { class: "note withheld-none" }, `Nothing was withheld under ${policy}.`);
  return el("details", { class: "withheld" },
    el("summary", {}, `${count} field${count === 1 ? "" : "s"} withheld under the policy ${policy}, as this node says`),
    el("ul", {}, [...byReason].map(([reason, paths]) => el("li", { "data-reason": reason },
      el("strong", {}, `${WHY[reason] || reason} (${paths.length}): `), el("code", {}, paths.join(", "))))));
};

// One company's answer: refused, or its copy verified and shown with what was withheld.
const showCompany = async (result, policy) => {
  if (result.outcome === "refused") {
    return el("section", { class: "result company-result", "data-company": result.company },
      el("h3", { class: "result-heading" }, result.company),
      el("p", { class: "refusal" }, `Refused under the policy ${policy}: ${REFUSALS[result.refusal_reason] || result.refusal_reason}. `
        + "Nothing of this company's profile left the node."));
  }
  const { ok, answer } = await api("POST", "/api/verify", result.credential);
  const shown = ok
    ? renderResult(dataOf(result.credential), answer, { heading: result.company })
    : el("p", { class: "error item-error" }, `${result.company}: its copy could not be verified: ${problem(answer)}`);
  return el("section", { class: "result company-result", "data-company": result.company },
    shown, withheldList(result.withhold, policy));
};

const lookUp = async () => {
  const query = $("company-query").value.trim();
  if (!query) {
    say("Give a company's UEN, unified social credit code, LEI or name.", "error");
    return;
  }
  const params = new URLSearchParams({ q: query });
  const basis = $("company-basis").value.trim();
  const policy = $("company-policy").value.trim();
  if (basis) params.set("basis", basis);
  if (policy) params.set("policy", policy);
  say("Looking up…");
  const { ok, answer } = await api("GET", `/api/companies?${params}`, undefined, $("company-token").value.trim());
  if (!ok) {
    say(problem(answer), "error");
    return;
  }
  const results = await Promise.all(answer.results.map((r) => showCompany(r, answer.policy)));
  $("company-results").replaceChildren(
    el("p", { class: "note", id: "company-found" },
      `${answer.results.length} compan${answer.results.length === 1 ? "y" : "ies"} found, disclosed under the policy ${answer.policy}.`),
    ...results);
  $("company-results").dataset.state = "done";
};

export const start = () => {
  rememberToken($("company-token"));
  $("company-form").addEventListener("submit", (e) => {
    e.preventDefault();
    lookUp();
  });
};
