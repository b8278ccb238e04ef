/* @ts-self-types="./fixtures.d.ts" */
// Plain JS so Node-side runners (workerd, Chromium) can load it without a TypeScript step: the recorded
// captures and the emulator every runtime tests against.
import { CAPTURES } from "../generated/captures.js";

export { CAPTURES };

/** The only key the test emulator accepts. */
export const API_KEY = "runtimes-test-key-7f3a9c1e5b";

export function bytesOf(capture) {
  const binary = atob(capture.base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Options for `createEmulator`: replays every capture by name, accepts only API_KEY. */
export function emulatorOptions() {
  return {
    apiKeys: [API_KEY],
    recordings: Object.fromEntries(CAPTURES.map((c) => [c.name, bytesOf(c)])),
  };
}
