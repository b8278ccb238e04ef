import { createEmulator } from "../emulator/index.ts";
import type { EmulatorOptions } from "../emulator/types.ts";
import { serve } from "../node/serve.ts";

/** The model the demo and `chat --emulator` ask for when none is named. */
export const EMULATOR_MODEL = "anthropic.claude-sonnet-4-20250514-v1:0";

export interface LocalEmulator {
  /** Base URL, e.g. http://127.0.0.1:53124 */
  url: string;
  /** The provider settings that point a client at this emulator. */
  provider: { url: string; key: string; modelIdPrefix: "none" };
  close(): Promise<void>;
}

/**
 * Starts the emulator in this process on a free loopback port, accepting one fresh random key, so a run
 * needs no network and no credentials and nothing else on the machine can use it.
 */
export async function startLocalEmulator(
  options: Omit<EmulatorOptions, "apiKeys"> = {},
): Promise<LocalEmulator> {
  const key = `demo-${crypto.randomUUID()}`;
  const server = await serve(createEmulator({ ...options, apiKeys: [key] }), { port: 0, host: "127.0.0.1" });
  return {
    url: server.url,
    // The emulator serves /model/{id}/..., so the id goes after "/model/" as is (no region prefix).
    provider: { url: `${server.url}/model/`, key, modelIdPrefix: "none" },
    close: () => server.close(),
  };
}

/** What to tell a client to use a served emulator, as an ECA-style provider block. */
export function providerBlockFor(baseUrl: string): Record<string, unknown> {
  return { url: `${baseUrl}/model/`, modelIdPrefix: "none", key: "any-key" };
}
