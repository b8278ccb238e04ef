// doStream when a network chunk maps to no stream part: the metadata frame (usage, which the AI SDK gets with
// the finish) arriving on its own, after a pause, as Workers and Node 22's HTTP server deliver it. The stream
// must read on to the finish; a pull that enqueues nothing is never called again, and the read would hang.
import { afterAll, describe, expect, it } from "vitest";
import { createBedrockEdge } from "../../src/ai-sdk/index.ts";
import { eventFrame } from "../helpers/frames.ts";
import { EVENT_STREAM, loopback } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = await loopback(async (_req, res) => {
  res.writeHead(200, EVENT_STREAM);
  for (const f of [
    eventFrame("messageStart", { role: "assistant" }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } }),
    eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
  ]) {
    res.write(f);
    await sleep(15);
  }
  res.write(
    eventFrame("metadata", { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 }, metrics: {} }),
  );
  await sleep(15);
  res.end();
});
afterAll(() => server.close());

describe("bedrock-edge/ai-sdk doStream, a chunk that maps to no part", () => {
  it("reads on to the finish, one part per read, with the usage of the lone metadata frame", async () => {
    const provider = createBedrockEdge(
      { key: "stall-test-key-0123", url: `${server.url}/model/`, modelIdPrefix: "none", logLevel: "silent" },
      { env: {} },
    );
    const { stream } = await provider("anthropic.claude-3-haiku-20240307-v1:0").doStream({
      prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    });
    const reader = stream.getReader();
    const types: string[] = [];
    let finish: any;
    for (;;) {
      const r = await Promise.race([
        reader.read(),
        sleep(3000).then(() => ({ done: true, value: { type: "TIMEOUT" } }) as any),
      ]);
      if (r.value?.type === "TIMEOUT") throw new Error(`stalled after ${types.join(",")}`);
      if (r.done) break;
      types.push(r.value.type);
      if (r.value.type === "finish") finish = r.value;
    }
    expect(types.at(-1)).toBe("finish");
    expect(finish.finishReason.unified).toBe("stop");
    expect(finish.usage.inputTokens.total).toBe(3);
  });
});
