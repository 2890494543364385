// An issuer's decentralized renderer, served locally for Corridor's browser tests: one made
// with TradeTrust's own components (@tradetrust-tt/decentralized-renderer-react-components,
// pinned, on React 18), at /, and one made as renderers were before them, on penpal 4, at
// /legacy/. Each lays out every value of the document it is sent (renderer/templates.js).
//
//   node renderer.mjs [PORT]    serve on 127.0.0.1 (PORT, or a free one); prints the origin;
//                               stops when standard input closes
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const components = "node_modules/@tradetrust-tt/decentralized-renderer-react-components/build/";
const FILES = {
  "/": ["renderer/index.html", "text/html"],
  "/legacy/": ["renderer/legacy.html", "text/html"],
  "/templates.js": ["renderer/templates.js", "text/javascript"],
  "/globals.js": ["globals", "text/javascript"],
  "/react.js": ["node_modules/react/umd/react.production.min.js", "text/javascript"],
  "/react-dom.js": ["node_modules/react-dom/umd/react-dom.production.min.js", "text/javascript"],
  "/components.js": [`${components}index.js`, "text/javascript"],
  // The components' lazily loaded parts, where their bundle looks for them.
  "/272.index.js": [`${components}272.index.js`, "text/javascript"],
  "/881.index.js": [`${components}881.index.js`, "text/javascript"],
  "/penpal4.js": ["node_modules/penpal-v4/dist/penpal.min.js", "text/javascript"],
};
const cache = new Map();
// The components' bundle expects the Node globals its makers' webpack provides: Buffer (the
// `buffer` package) and process.
const { outputFiles: [globals] } = await build({
  stdin: {
    contents: `import { Buffer } from "buffer";
      window.Buffer = Buffer;
      window.global = window;
      window.process = { env: {}, argv: [], browser: true, version: "", versions: {}, cwd: () => "/", nextTick: (f, ...a) => queueMicrotask(() => f(...a)) };`,
    resolveDir: here("."),
  },
  bundle: true, format: "iife", minify: true, write: false, logLevel: "warning",
});
cache.set("globals", Buffer.from(globals.contents));
const server = createServer((request, response) => {
  const file = FILES[new URL(request.url, "http://renderer").pathname];
  if (!file) {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  const [path, type] = file;
  if (!cache.has(path)) cache.set(path, readFileSync(here(path)));
  response.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(cache.get(path));
});
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
