// The consumer as a Cloudflare Worker, bundled by esbuild for the browser: `GET /?emulator=<origin>`.
import { run } from "./app.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url).searchParams.get("emulator");
    if (!url) return new Response("?emulator= is required", { status: 400 });
    return Response.json(await run(url));
  },
};
