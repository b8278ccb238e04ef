// Deno with `npm:bedrock-edge` (nodeModulesDir "manual" reads the packed copy from ./node_modules), typed.
import { type ChatEvent, createBedrock } from "npm:bedrock-edge";
import { createEmulator } from "npm:bedrock-edge/emulator";

const emulator = createEmulator({ apiKeys: ["consumer-key"] });
const bedrock = createBedrock(
  { key: "consumer-key", url: "http://emulator.test/model/", modelIdPrefix: "none" },
  { env: {}, fetch: (input, init) => emulator.fetch(new Request(input, init)) },
);
const events: ChatEvent[] = [];
for await (const event of bedrock.stream([{ role: "user", content: "hello from a consumer" }], {
  model: "amazon.nova-lite-v1:0",
})) {
  events.push(event);
}
const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
console.log(
  JSON.stringify({ resolved: import.meta.resolve("npm:bedrock-edge"), text, last: events.at(-1)?.type }),
);
