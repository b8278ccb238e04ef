import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

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
/** The parts joined into one byte array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const out: Uint8Array[] = [];
  for (let i = 1; i < points.length; i++)
    if (points[i] > points[i - 1]) out.push(bytes.slice(points[i - 1], points[i]));
  return out;
}

/** A small deterministic PRNG so random chunkings are reproducible. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomCuts(length: number, random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(random() * length));
}
