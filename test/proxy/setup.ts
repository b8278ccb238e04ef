import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import type { EmulatorOptions, RequestInfo } from "../../src/emulator/types";
import { type Server, serve } from "../../src/node/serve";
import { createProxy, type ProxyOptions } from "../../src/proxy";
import type { ChatEvent } from "../../src/types/events";

// Real parts on loopback: the emulator served over HTTP as the proxy's upstream, with a tap in front that
// records what reached it (headers, body bytes) and whether the proxy's connection closed before the end.

export const TOKEN = "caller-token-7f3a9c2e4b1d8f6a0e5c3b9d";
export const OTHER_TOKEN = "caller-token-second-1c4e7a0b3d6f9e2a5c8b";
export const UPSTREAM_KEY = "bedrock-api-key-upstream-9d2f6b3e8a1c";
export const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";

export interface Seen {
  url: URL;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  /** True once the proxy's connection to the upstream closed before the response was complete. */
  cutOff: boolean;
  info?: RequestInfo;
}

export interface Upstream extends Server {
  seen: Seen[];
}

export async function startUpstream(options: EmulatorOptions = {}): Promise<Upstream> {
  const seen: Seen[] = [];
  const emulator = createEmulator({
    ...options,
    onRequest: (info) => {
      const entry = seen.find((s) => s.info === undefined);
      if (entry) entry.info = info;
    },
  });
  const server = await serve({
    async fetch(request) {
      const entry: Seen = {
        url: new URL(request.url),
        headers: new Headers(request.headers),
        body: new Uint8Array(await request.clone().arrayBuffer()),
        cutOff: false,
      };
      request.signal.addEventListener("abort", () => {
        entry.cutOff = true;
      });
      seen.push(entry);
      return emulator.fetch(request);
    },
  });
  return Object.assign(server, { seen });
}

/** The proxy served on loopback, pointed at `upstream` (bearer upstream key unless options say otherwise). */
export async function startProxy(
  upstream: { url: string },
  options: Partial<ProxyOptions> = {},
): Promise<Server> {
  const auth = options.credentials ? {} : { upstreamKey: UPSTREAM_KEY };
  return serve(
    createProxy({ tokens: [TOKEN], upstream: upstream.url, defaultRegion: "us-east-1", ...auth, ...options }),
  );
}

/** Closes every server started in a test. */
export function closer() {
  const open: { close(): Promise<void> }[] = [];
  return {
    add<T extends { close(): Promise<void> }>(server: T): T {
      open.push(server);
      return server;
    },
    closeAll: () => Promise.all(open.splice(0).map((s) => s.close())),
  };
}

export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Streams a weather question with the get_weather tool through a proxy at `url`; resolves to every event. */
export async function weatherThrough(url: string, city: string, region = "us-east-1"): Promise<ChatEvent[]> {
  const client = createBedrock({ url: `${url}/model/`, key: TOKEN, region }, { env: {} });
  const events: ChatEvent[] = [];
  for await (const e of client.stream([{ role: "user", content: `What is the weather in ${city}?` }], {
    model: HAIKU,
    tools: [
      {
        name: "get_weather",
        description: "Get the current weather for a city",
        inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ],
  }))
    events.push(e);
  return events;
}
