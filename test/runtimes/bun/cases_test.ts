// The shared cases under `bun test`, against the built package ("bedrock-edge" resolves to dist through the
// package's exports map) and the emulator served by Bun's own HTTP server on loopback.
import { afterAll, test } from "bun:test";
import { createEmulator } from "bedrock-edge/emulator";
import { cases, emulatorOptions } from "../cases/index.ts";

declare const Bun: any;

const emulator = createEmulator(emulatorOptions());
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request: Request) => emulator.fetch(request),
});
const emulatorUrl = `http://127.0.0.1:${server.port}`;

for (const c of cases) test(c.name, () => c.fn({ emulatorUrl, runtime: "bun" }), 30_000);

afterAll(() => server.stop(true));
