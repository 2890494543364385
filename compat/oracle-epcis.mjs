// GS1's epcis2.js 2.7.3, pinned, as the oracle for Corridor's EPCIS 2.0 validation.
//
//   node oracle-epcis.mjs validate     each line of standard input a JSON value: an
//                                      EPCISDocument, or one event (with its @context);
//                                      prints, a line each, {"valid": bool, "errors": [...]}:
//                                      validateEpcisDocument(document, false) with the
//                                      extension check on, or, for an event, that of an
//                                      EPCISDocument holding it alone under its @context
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const epcis = require("epcis2.js");

epcis.setup({ checkExtensions: true, validationMode: "full" });

const [command] = process.argv.slice(2);
if (command !== "validate") {
  console.error("usage: see the head of oracle-epcis.mjs");
  process.exit(2);
}
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const value = JSON.parse(line);
  let document = value;
  if (value && typeof value === "object" && !Array.isArray(value) && value.type !== "EPCISDocument") {
    const { "@context": context, ...event } = value;
    document = {
      "@context": context,
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: "2025-01-01T00:00:00Z",
      epcisBody: { eventList: [event] },
    };
  }
  let answer;
  try {
    const result = epcis.validateEpcisDocument(document, false);
    answer = { valid: result.success, errors: result.errors };
  } catch (e) {
    answer = { valid: false, errors: [String(e.message || e)] };
  }
  console.log(JSON.stringify(answer));
}
