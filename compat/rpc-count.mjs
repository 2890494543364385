// A JSON-RPC proxy that counts what passes through it, for the chain benchmark and tests:
//
//   node rpc-count.mjs PORT TARGET_URL [MAX_LOG_BLOCKS]
//                                           listens on 127.0.0.1:PORT, forwards POSTs to TARGET_URL;
//                                           with MAX_LOG_BLOCKS, refuses an eth_getLogs over a wider
//                                           range of blocks as public endpoints do (error -32005)
//   GET /count                              {"http": requests, "calls": JSON-RPC calls (each call of a
//                                           batch), "refused": eth_getLogs refused for their range}
//   GET /reset                              zeroes the counts
import http from "node:http";

const [port, target, maxLogBlocks] = process.argv.slice(2);
let counts = { http: 0, calls: 0, refused: 0 };

// The refusal a public endpoint gives an eth_getLogs whose range is too wide, if this one is.
const tooWide = (call) => {
  if (!maxLogBlocks || call.method !== "eth_getLogs") return null;
  const { fromBlock, toBlock } = call.params[0];
  const block = (tag) => (tag === "latest" || tag === undefined ? Infinity : Number(BigInt(tag)));
  if (block(toBlock) - block(fromBlock) + 1 <= Number(maxLogBlocks)) return null;
  counts.refused += 1;
  return { jsonrpc: "2.0", id: call.id, error: { code: -32005, message: `block range is too wide: at most ${maxLogBlocks} blocks` } };
};
http
  .createServer((req, res) => {
    if (req.method === "GET") {
      if (req.url === "/reset") counts = { http: 0, calls: 0, refused: 0 };
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
        const refusal = Array.isArray(json) ? null : tooWide(json);
        if (refusal) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(refusal));
          return;
        }
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
