// The same from CommonJS: require() gets the CJS build through the exports map's "require" condition.
const { createBedrock } = require("bedrock-edge");
const { createEmulator } = require("bedrock-edge/emulator");
const { createProxy } = require("bedrock-edge/proxy");

const emulator = createEmulator({ apiKeys: ["consumer-key"] });
const bedrock = createBedrock(
  { key: "consumer-key", url: "http://emulator.test/model/", modelIdPrefix: "none" },
  { env: {}, fetch: (input, init) => emulator.fetch(new Request(input, init)) },
);
bedrock
  .request([{ role: "user", content: "hello from a consumer" }], { model: "amazon.nova-lite-v1:0" })
  .then((result) => {
    const resolved = require.resolve("bedrock-edge");
    console.log(JSON.stringify({ resolved, text: result.outputText, proxy: typeof createProxy }));
  });
