// The benchmark's Bedrock stand-in: serves the generated bodies over loopback HTTP/1.1 in 16 KB writes. Run as
// its own process (`node bench/server.mjs`) so the clients measured do not share its CPU time; prints its URL.
// The model id picks the body: `.../model/bench.<shape>/converse-stream`, or `bench.long-<MB>` for a long text
// stream generated on the fly.
import { createServer } from "node:http";
import { body, longText, SHAPES } from "./streams.mjs";

const CHUNK = 16 * 1024;
const bodies = new Map(Object.keys(SHAPES).map((s) => [s, body(s).bytes]));

function* chunks(bytes) {
  for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
}

const server = createServer(async (req, res) => {
  for await (const _ of req); // the request body is not looked at
  const model = /\/model\/([^/]+)\/converse-stream$/.exec(req.url ?? "")?.[1] ?? "";
  const shape = decodeURIComponent(model).split(".").pop() ?? "";
  const long = /^long-(\d+)$/.exec(shape);
  const source = long
    ? longText(Number(long[1]), CHUNK)
    : bodies.has(shape)
      ? chunks(bodies.get(shape))
      : undefined;
  if (!source) {
    res.writeHead(404, {
      "content-type": "application/json",
      "x-amzn-errortype": "ResourceNotFoundException",
    });
    res.end(JSON.stringify({ message: `no bench shape "${shape}"` }));
    return;
  }
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "bench" });
  for (const chunk of source) {
    if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
  }
  res.end();
});

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
