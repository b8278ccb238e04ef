// A user's ESM module after `npm i bedrock-edge` (the packed tarball, extracted by prepare.mjs). Run by Node
// and Bun: every entry point resolves from node_modules and a request goes through the emulator in-process.
import { createBedrock } from "bedrock-edge";
import { createEmulator } from "bedrock-edge/emulator";
import { createProxy } from "bedrock-edge/proxy";

const resolved = import.meta.resolve("bedrock-edge");
const emulator = createEmulator({ apiKeys: ["consumer-key"] });
const bedrock = createBedrock(
  { key: "consumer-key", url: "http://emulator.test/model/", modelIdPrefix: "none" },
  { env: {}, fetch: (input, init) => emulator.fetch(new Request(input, init)) },
);
const result = await bedrock.request([{ role: "user", content: "hello from a consumer" }], {
  model: "amazon.nova-lite-v1:0",
});
console.log(JSON.stringify({ resolved, text: result.outputText, proxy: typeof createProxy }));
