// Peak memory of one contender consuming one stream, in a fresh Node process (run by run.mjs with
// --expose-gc): `node --expose-gc bench/memory.mjs <url> <contender> <shape>`. Prints one JSON line:
// peak RSS of the process, peak growth of the JS heap plus array buffers over the idle baseline (sampled every
// millisecond), and what stays retained after a full GC while the result is still held.
import { aiSdkConsumer, awsSdkConsumer, consumers } from "./consumers.mjs";

const [url, name, shape] = process.argv.slice(2);
const contenders = consumers(url);
const run =
  name === "@aws-sdk/client-bedrock-runtime"
    ? await awsSdkConsumer(url)
    : name === "@ai-sdk/amazon-bedrock + ai"
      ? await aiSdkConsumer(url)
      : contenders[name];
if (!run) throw new Error(`unknown contender ${name}`);

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
globalThis.gc();
globalThis.gc();
const base = used();
const rssBase = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => {
  peak = Math.max(peak, used());
}, 1);
const result = await run(shape, false);
clearInterval(sampler);
peak = Math.max(peak, used());
globalThis.gc();
const retained = used() - base;
const mb = (n) => Math.round((n / 1048576) * 10) / 10;
console.log(
  JSON.stringify({
    contender: name,
    shape,
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
    baseRssMB: mb(rssBase),
    peakHeapGrowthMB: mb(peak - base),
    retainedMB: mb(retained),
    result: typeof result === "number" ? result : undefined,
  }),
);
process.exit(0);
