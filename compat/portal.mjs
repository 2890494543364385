// The portal in a real browser (Debian's headless Chromium, driven by playwright-core), for
// Corridor's browser tests:
//
//   node portal.mjs verify-file <base-url> <file> [screenshot.png]   choose the file on the verify page
//   node portal.mjs verify-paste <base-url> <file>                   paste its contents instead
//
// Prints what a person sees: {"verdict", "checks": [{status, text}], "document": [[field, value]],
// "untrusted", "error"}.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [command, base, file, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const failures = [];
  page.on("pageerror", (e) => failures.push(String(e)));
  page.on("requestfailed", (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(base);
  switch (command) {
    case "verify-file":
      await page.setInputFiles("#file", file);
      break;
    case "verify-paste":
      await page.click("summary");
      await page.fill("#paste", readFileSync(file, "utf8"));
      await page.click("#check");
      break;
    default:
      throw new Error(`usage: node portal.mjs verify-file|verify-paste <base-url> <file> [screenshot]`);
  }
  await page.waitForSelector("#verdict, #error", { timeout: 15000 });
  const text = async (selector) => ((await page.$(selector)) ? (await page.textContent(selector)).trim() : null);
  const seen = {
    verdict: await text("#verdict"),
    error: await text("#error"),
    untrusted: await text("#untrusted"),
    checks: await page.$$eval(".checks li", (items) => items.map((li) => ({ status: li.className, text: li.textContent }))),
    document: await page.$$eval("#document dt", (terms) => terms.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
    failures,
  };
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}
