// A registry package's ISO 17442 checking, pinned, as the oracle for Corridor's LEI checks.
//
//   node oracle-lei.mjs     each line of standard input a JSON string; prints, a line each,
//                           what fast-lei 1.2.0 makes of it: an 18-character body gets
//                           {"generated"} (generate(): the body with its check digits), any
//                           other input {"valid"} (isValid()) or {"error"} when it refuses
//                           the input's format
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const lei = require("fast-lei");

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const input = JSON.parse(line);
  let answer;
  try {
    answer = input.length === 18 ? { generated: lei.generate(input) } : { valid: lei.isValid(input) };
  } catch (e) {
    answer = { error: String(e.message || e) };
  }
  console.log(JSON.stringify(answer));
}
