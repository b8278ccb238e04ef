import { describe, expect, it } from "vitest";
import { DEFAULT_BLOCKED_MESSAGE } from "../../src/emulator";
import { buildConverseBody } from "../../src/request/body";
import { guardContent } from "../../src/request/messages";
import type { ChatEvent } from "../../src/types/events";
import { clientFor, emulator, pairs, replayConverse } from "./helpers";

const guardrailConfig = { guardrailIdentifier: "gr-test", guardrailVersion: "1", trace: "enabled" };

describe("guardrails (recorded Nova guardrail call)", () => {
  it("the guardrail trace of a /converse response is in result.trace, as received", async () => {
    const recorded = pairs("test_bedrock_model_guardrail_config.json");
    const server = await replayConverse(recorded);
    const sent = JSON.parse(recorded[0].request.body);
    const result = await clientFor(server.url, "us.amazon.nova-micro-v1:0").request(
      [{ role: "system", content: sent.system }, ...sent.messages],
      { stream: false, guardrailConfig: sent.guardrailConfig },
    );
    expect(JSON.parse(server.received[0].body).guardrailConfig).toEqual(sent.guardrailConfig);
    expect(result.trace).toEqual((recorded[0].response.body as any).trace);
    expect((result.trace as any).guardrail.actionReason).toBe("No action.");
  });
});

describe("guardrails against the emulator", async () => {
  const emu = await emulator();
  const client = emu.client();

  it("stream: streamProcessingMode sent, stopReason guardrail_intervened surfaced, the trace in the result", async () => {
    const events: ChatEvent[] = [];
    const result = await client.request([{ role: "user", content: "Tell me about BLOCKME please" }], {
      guardrailConfig: { ...guardrailConfig, streamProcessingMode: "async" },
      onEvent: (e) => events.push(e),
    });
    expect(emu.seen.at(-1)!.body!.guardrailConfig).toEqual({
      ...guardrailConfig,
      streamProcessingMode: "async",
    });
    expect(result.stopReason).toBe("guardrail_intervened");
    expect(result.outputText).toBe(DEFAULT_BLOCKED_MESSAGE);
    expect((events.at(-1) as any).stopReason).toBe("guardrail_intervened");
    const assessment = (result.trace as any).guardrail.inputAssessment["gr-test"];
    expect(assessment.wordPolicy.customWords[0]).toMatchObject({ match: "BLOCKME", action: "BLOCKED" });
  });

  it("/converse takes no streamProcessingMode: it is left out of the non-streaming body, the rest kept", async () => {
    const options = { stream: false, guardrailConfig: { ...guardrailConfig, streamProcessingMode: "sync" } };
    const result = await client.request(
      [{ role: "user", content: "What is the capital of France?" }],
      options,
    );
    expect(emu.seen.at(-1)!.body!.guardrailConfig).toEqual(guardrailConfig);
    expect(options.guardrailConfig.streamProcessingMode).toBe("sync"); // the caller's object is untouched
    expect(result.stopReason).toBe("end_turn");
    expect((result.trace as any).guardrail.actionReason).toBe("No action.");
  });

  it("guardContent blocks: only the guarded text is assessed", async () => {
    expect(guardContent("BLOCKME here", ["guard_content"])).toEqual({
      guardContent: { text: { text: "BLOCKME here", qualifiers: ["guard_content"] } },
    });
    const blocked = await client.request(
      [
        {
          role: "user",
          content: [guardContent("a question about BLOCKME", ["query"]), { text: "Answer briefly." }],
        },
      ],
      { guardrailConfig },
    );
    expect(blocked.stopReason).toBe("guardrail_intervened");
    expect(emu.seen.at(-1)!.body!.messages[0].content[0]).toEqual({
      guardContent: { text: { text: "a question about BLOCKME", qualifiers: ["query"] } },
    });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(guardContent({ image: png })).toEqual({
      guardContent: { image: { format: "png", source: { bytes: Buffer.from(png).toString("base64") } } },
    });
    expect(() => guardContent({ image: new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]) })).toThrow(
      /png or jpeg/,
    );
  });

  it("a guardrail set per model (extraPayload) keeps its stream setting for streams only", () => {
    const defaults = { guardrailConfig: { ...guardrailConfig, streamProcessingMode: "async" } };
    const hi = [{ role: "user" as const, content: "hi" }];
    expect(buildConverseBody(hi, {}, defaults).guardrailConfig.streamProcessingMode).toBe("async");
    expect(buildConverseBody(hi, { stream: false }, defaults).guardrailConfig).toEqual(guardrailConfig);
    expect(buildConverseBody(hi, {}, { ...defaults, stream: false }).guardrailConfig).toEqual(
      guardrailConfig,
    );
  });
});
