// The shared cases under `deno test`, against the built package ("bedrock-edge" resolves to dist through the
// package's exports map) and the emulator served by Deno's own HTTP server on loopback.
import { createEmulator } from "bedrock-edge/emulator";
import { cases, emulatorOptions } from "../cases/index.ts";

const emulator = createEmulator(emulatorOptions());
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
  emulator.fetch(request),
);
const emulatorUrl = `http://127.0.0.1:${server.addr.port}`;

for (const c of cases) {
  Deno.test({
    name: c.name,
    // The server is shared by every case and closed once at the end.
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => c.fn({ emulatorUrl, runtime: "deno" }),
  });
}

globalThis.addEventListener("unload", () => void server.shutdown());
