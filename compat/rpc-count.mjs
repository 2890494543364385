// A JSON-RPC proxy that counts what passes through it, for the chain benchmark:
//
//   node rpc-count.mjs PORT TARGET_URL     listens on 127.0.0.1:PORT, forwards POSTs to TARGET_URL
//   GET /count                              {"http": requests, "calls": JSON-RPC calls (each call of a batch)}
//   GET /reset                              zeroes the counts
import http from "node:http";

const [port, target] = process.argv.slice(2);
let counts = { http: 0, calls: 0 };
http
  .createServer((req, res) => {
    if (req.method === "GET") {
      if (req.url === "/reset") counts = { http: 0, calls: 0 };
      res.end(JSON.stringify(counts));
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      counts.http += 1;
      try {
        const json = JSON.parse(body);
        counts.calls += Array.isArray(json) ? json.length : 1;
      } catch {
        counts.calls += 1;
      }
      try {
        const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    });
  })
  .listen(Number(port), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
