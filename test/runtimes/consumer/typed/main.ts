// The consumer as a script (Node after tsc's emit, Bun and Deno as TypeScript): `main <emulator origin>`.
// Arguments, not the environment: under Deno it runs with --allow-net only.
import { run } from "./app.ts";

const deno = Reflect.get(globalThis, "Deno") as { args: string[] } | undefined;
const node = Reflect.get(globalThis, "process") as { argv: string[] } | undefined;
const url = deno ? deno.args[0] : node?.argv[2];
if (!url) throw new Error("usage: main <emulator origin>");
console.log(JSON.stringify(await run(url)));
