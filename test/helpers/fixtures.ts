import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export { concat, prng, randomCuts, splitAt } from "./bytes";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

export interface RecordedFrame {
  offset: number;
  total_length: number;
  headers: { name: string; type: number; type_name: string; value: unknown }[];
  payload: string;
}

export interface Capture {
  name: string;
  bytes: Uint8Array;
  frames: RecordedFrame[];
  request: { uri: string; body: string };
}

/** Every recorded ConverseStream capture, with the frames its JSON says it holds. */
export function captures(folder = "recorded/converse-stream"): Capture[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eventstream.bin"))
    .sort()
    .map((file) => {
      const name = file.replace(/\.eventstream\.bin$/, "");
      const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
      return {
        name,
        bytes: new Uint8Array(readFileSync(join(dir, file))),
        frames: meta.messages,
        request: meta.request,
      };
    });
}

export function capture(name: string): Capture {
  const found = [...captures(), ...captures("recorded/synthetic")].find((c) => c.name === name);
  if (!found) throw new Error(`no capture ${name}`);
  return found;
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, path), "utf8"));
}

/** Splits bytes into chunks at the given cut points. */
