// GS1's own tooling, pinned, as the oracle for Corridor's GS1 identifiers.
//
//   node oracle-gs1.mjs digital-link     each line of standard input a JSON string (a URI);
//                                        prints, a line each, what digital-link.js 1.4.3 makes
//                                        of it: {"valid", "identifier", "keyQualifiers"}
//                                        (DigitalLink(uri).isValid(), getIdentifier(),
//                                        getKeyQualifiers(); qualifiers as written)
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const { DigitalLink } = require("digital-link.js");

const [command] = process.argv.slice(2);
if (command !== "digital-link") {
  console.error("usage: see the head of oracle-gs1.mjs");
  process.exit(2);
}
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const uri = JSON.parse(line);
  let answer;
  try {
    const link = DigitalLink(uri);
    answer = { valid: link.isValid(), identifier: link.getIdentifier(), keyQualifiers: link.getKeyQualifiers() };
  } catch (e) {
    answer = { valid: false, error: String(e.message || e) };
  }
  console.log(JSON.stringify(answer));
}
