// GS1's epcis2.js 2.7.3, pinned, as the oracle for Corridor's EPCIS 2.0 validation.
//
//   node oracle-epcis.mjs validate     each line of standard input a JSON value: an
//                                      EPCISDocument, or one event (with its @context);
//                                      prints, a line each, {"valid": bool, "errors": [...]}:
//                                      validateEpcisDocument(document, false) with the
//                                      extension check on, or, for an event, that of an
//                                      EPCISDocument holding it alone under its @context
//   node oracle-epcis.mjs capture      each line {"url", "token", "document"}: epcis2.js as
//                                      an EPCIS 2.0 client captures the EPCISDocument at the
//                                      repository at url (its capture(), then CaptureResponse
//                                      polling the job); prints, a line each, {"status",
//                                      "location", "job"} or {"error"}
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const epcis = require("epcis2.js");

epcis.setup({ checkExtensions: true, validationMode: "full" });

const [command] = process.argv.slice(2);
if (command === "capture") {
  await captureAll();
  process.exit(0);
}
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

async function captureAll() {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { url, token, document } = JSON.parse(line);
    let answer;
    try {
      // setup() replaces the default headers: the content type is given again.
      epcis.setup({
        apiUrl: url,
        headers: { "content-type": "application/json", Authorization: `Bearer ${token}` },
      });
      const response = await epcis.capture(new epcis.EPCISDocument(document));
      if (response.status !== 202) {
        console.log(JSON.stringify({ status: response.status, refused: await response.json() }));
        continue;
      }
      const captured = new epcis.CaptureResponse(response);
      await captured.pollForTheCaptureToFinish(5, 100);
      answer = {
        status: response.status,
        location: captured.getLocation(),
        job: { running: captured.getRunningStatus(), success: captured.getSuccessStatus(), errors: captured.getErrors() },
      };
    } catch (e) {
      answer = { error: String(e.message || e) };
    }
    console.log(JSON.stringify(answer));
  }
}
