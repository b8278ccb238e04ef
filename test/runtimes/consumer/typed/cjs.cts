// CommonJS: tsc emits `require` calls, which get the .cjs builds; the types come from the .d.cts files. Serves the
// emulator itself through bedrock-edge/node, then makes one request: `node cjs.cjs`.
import { createBedrock, type Wire } from "bedrock-edge";
import { createEmulator } from "bedrock-edge/emulator";
import { type Server, serve } from "bedrock-edge/node";

async function main(): Promise<string> {
  const server: Server = await serve(createEmulator({ apiKeys: ["cjs-key-0123"] }));
  try {
    const bedrock = createBedrock({ key: "cjs-key-0123", url: `${server.url}/model/`, modelIdPrefix: "none" });
    const message: Wire.Message = { role: "user", content: [{ text: "hello from CommonJS" }] };
    const result = await bedrock.request([message], { model: "amazon.nova-lite-v1:0" });
    return result.outputText;
  } finally {
    await server.close();
  }
}
// A rejection here is unhandled: Node prints it and exits 1.
main().then((text) => console.log(JSON.stringify({ text })));
