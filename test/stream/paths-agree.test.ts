// The composable chain the README shows (pipeThrough x3) and the client's fused pipeline must agree: every
// recorded capture, whole and cut at random bytes (and cut exactly before metadata, issue 13), fed in random
// chunks, gives the same chat events and the same error on both paths. Each rule lives in its stage, so the
// fused pipeline only schedules them.
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import { ConversePipeline } from "../../src/stream/pipeline";
import {
  ConverseEventStream,
  EventStreamDecoderStream,
  ToolCallAccumulatorStream,
} from "../../src/stream/web-streams";
import type { ChatEvent } from "../../src/types/events";
import { type Capture, captures, prng, randomCuts, splitAt } from "../helpers/fixtures";

interface Outcome {
  events: ChatEvent[];
  error?: { name: string; message: string };
}

const errorOf = (error: unknown) =>
  error === undefined
    ? undefined
    : error instanceof BedrockError
      ? { name: error.name, message: error.message }
      : { name: "not a BedrockError", message: String(error) };

async function throughChain(chunks: Uint8Array[]): Promise<Outcome> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const reader = body
    .pipeThrough(new EventStreamDecoderStream())
    .pipeThrough(new ConverseEventStream())
    .pipeThrough(new ToolCallAccumulatorStream())
    .getReader();
  const events: ChatEvent[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events };
      events.push(value);
    }
  } catch (error) {
    return { events, error: errorOf(error) };
  }
}

function throughPipeline(chunks: Uint8Array[]): Outcome {
  const pipeline = new ConversePipeline();
  const events: ChatEvent[] = [];
  for (const chunk of chunks) {
    events.push(...pipeline.feed(chunk));
    if (pipeline.error) return { events, error: errorOf(pipeline.error) };
  }
  events.push(...pipeline.end());
  return { events, error: errorOf(pipeline.error) };
}

const eventType = (frame: Capture["frames"][number]) =>
  frame.headers.find((h) => h.name === ":event-type")?.value;

const all = [...captures(), ...captures("recorded/synthetic")];
const CUTS_PER_CAPTURE = 12;

describe("the composable chain and the fused pipeline agree", () => {
  it("there are recorded captures to run", () => {
    expect(all.length).toBeGreaterThanOrEqual(15);
  });

  it.each(all)("$name: whole, in random chunks", async (c) => {
    const random = prng(c.bytes.length);
    for (let round = 0; round < 4; round++) {
      const chunks =
        round === 0 ? [c.bytes] : splitAt(c.bytes, randomCuts(c.bytes.length, random, 1 + round * 5));
      const fused = throughPipeline(chunks);
      expect(await throughChain(chunks)).toEqual(fused);
      // A whole recorded stream finishes, or fails with the exception AWS sent in it.
      if (!fused.error) expect(fused.events.at(-1)?.type).toBe("finish");
    }
  });

  it.each(all)("$name: cut at random bytes, both fail the same way", async (c) => {
    const random = prng(c.bytes.length * 31 + 7);
    const ends = randomCuts(c.bytes.length, random, CUTS_PER_CAPTURE);
    for (const end of ends) {
      const cut = c.bytes.subarray(0, end);
      const chunks = splitAt(cut, randomCuts(cut.length, random, 3));
      const fused = throughPipeline(chunks);
      expect(await throughChain(chunks), `cut at byte ${end}`).toEqual(fused);
      expect(fused.error, `cut at byte ${end}`).toBeDefined();
      expect(fused.events.map((e) => e.type)).not.toContain("finish");
    }
  });

  const beforeMetadata = all
    .map((c) => ({ ...c, at: c.frames.find((f) => eventType(f) === "metadata")?.offset }))
    .filter((c) => c.at !== undefined);

  it("most captures have a metadata frame to cut before", () => {
    expect(beforeMetadata.length).toBeGreaterThanOrEqual(10);
  });

  it.each(beforeMetadata)(
    "$name: cut after messageStop, before metadata: IncompleteStreamError on both",
    async (c) => {
      const chunks = [c.bytes.subarray(0, c.at)];
      const fused = throughPipeline(chunks);
      expect(await throughChain(chunks)).toEqual(fused);
      expect(fused.error?.name).toBe("IncompleteStreamError");
      expect(fused.error?.message).toMatch(/after messageStop but before its metadata/);
      expect(fused.events.map((e) => e.type)).not.toContain("finish");
    },
  );
});
