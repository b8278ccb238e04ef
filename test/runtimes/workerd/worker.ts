// A test Worker: runs the shared cases inside workerd and answers with their results as JSON.
// Bundled by run.mjs with esbuild ("bedrock-edge" resolves to the built package with the workerd condition).
import { cases, runAll } from "../cases/index.ts";
import "../cases/ai-sdk.ts";

interface Env {
  EMULATOR_URL: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const only = new URL(request.url).searchParams.get("case");
    const selected = only === null ? cases : cases.filter((c) => c.name === only);
    const results = await runAll({ emulatorUrl: env.EMULATOR_URL, runtime: "workerd" }, selected);
    return Response.json({ results });
  },
};
