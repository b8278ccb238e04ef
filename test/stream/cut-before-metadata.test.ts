// A stream cut between messageStop and metadata (issue 13): the composable chain the README shows must refuse it
// exactly as the client's fused pipeline does, for every recorded capture.
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import { ToolCallAccumulatorStream } from "../../src/stream/accumulate";
import { EventStreamDecoderStream } from "../../src/stream/decode";
import { ConverseEventStream } from "../../src/stream/parse";
import { ConversePipeline } from "../../src/stream/pipeline";
import { captures } from "../helpers/fixtures";

const eventType = (frame: { headers: { name: string; value: unknown }[] }) =>
  frame.headers.find((h) => h.name === ":event-type")?.value;

const cut = captures()
  .map((c) => ({
    name: c.name,
    bytes: c.bytes,
    at: c.frames.find((f) => eventType(f) === "metadata")?.offset,
  }))
  .filter((c): c is { name: string; bytes: Uint8Array; at: number } => c.at !== undefined);

async function throughChain(bytes: Uint8Array): Promise<{ types: string[]; error: unknown }> {
  const body = new Response(bytes as Uint8Array<ArrayBuffer>).body!;
  const reader = body
    .pipeThrough(new EventStreamDecoderStream())
    .pipeThrough(new ConverseEventStream())
    .pipeThrough(new ToolCallAccumulatorStream())
    .getReader();
  const types: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { types, error: undefined };
      types.push(value.type);
    }
  } catch (error) {
    return { types, error };
  }
}

function throughPipeline(bytes: Uint8Array): { types: string[]; error: unknown } {
  const pipeline = new ConversePipeline();
  const events = [...pipeline.feed(bytes), ...pipeline.end()];
  return { types: events.map((e) => e.type), error: pipeline.error };
}

describe("a stream cut after messageStop, before metadata", () => {
  it("there are recorded captures to cut", () => {
    expect(cut.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cut)("$name: both paths refuse it with IncompleteStreamError and emit no finish", async (c) => {
    const truncated = c.bytes.subarray(0, c.at);
    const chain = await throughChain(truncated);
    const fused = throughPipeline(truncated);
    for (const result of [chain, fused]) {
      expect(result.error).toBeInstanceOf(BedrockError);
      expect((result.error as BedrockError).name).toBe("IncompleteStreamError");
      expect((result.error as BedrockError).message).toMatch(/after messageStop but before its metadata/);
      expect(result.types).not.toContain("finish");
    }
    // The same events up to the cut on both paths.
    expect(chain.types).toEqual(fused.types);
    // Whole, both finish.
    expect((await throughChain(c.bytes)).types.at(-1)).toBe("finish");
    expect(throughPipeline(c.bytes).types.at(-1)).toBe("finish");
  });
});
