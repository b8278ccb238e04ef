import { describe, expect, it } from "vitest";
import { documentBlock } from "../../src/request/blocks";
import { buildConverseBody } from "../../src/request/body";
import type { ChatEvent } from "../../src/types/events";
import { capture } from "../helpers/fixtures";
import { clientFor, emulator, pairs, replayConverse, replayStream } from "./helpers";

const question = JSON.parse(pairs("test_bedrock_document_citations_live.json")[0].request.body).messages;

describe("citations (recorded Claude document citations)", () => {
  it("stream: citation deltas kept with their locations, in the result and in the message", async () => {
    const cap = capture("test_bedrock_document_citations_live_stream");
    const wantCitations = cap.frames.map((f) => JSON.parse(f.payload).delta?.citation).filter(Boolean);
    const wantText = cap.frames.map((f) => JSON.parse(f.payload).delta?.text ?? "").join("");
    expect(wantCitations[0].location.documentChar).toEqual({ documentIndex: 0, end: 47, start: 0 });
    const server = await replayStream(cap.bytes);
    const events: ChatEvent[] = [];
    const result = await clientFor(server.url).request(question, { onEvent: (e) => events.push(e) });
    expect(result.citations).toEqual(wantCitations);
    expect(events.filter((e) => e.type === "citation").map((e) => (e as any).citation)).toEqual(
      wantCitations,
    );
    expect(result.outputText).toBe(wantText);
    expect(result.message.content).toEqual([
      { citationsContent: { content: [{ text: wantText }], citations: wantCitations } },
    ]);
    expect(result.stopReason).toBe("end_turn");
  });

  it("/converse: citationsContent kept as received, citations exposed; the two modes agree", async () => {
    const recorded = pairs("test_bedrock_document_citations_live.json");
    const server = await replayConverse(recorded);
    const result = await clientFor(server.url).request(question, { stream: false });
    const want = (recorded[0].response.body as any).output.message;
    expect(result.message).toEqual(want);
    expect(result.citations).toEqual(want.content[0].citationsContent.citations);
    expect(result.outputText).toBe(want.content[0].citationsContent.content[0].text);

    const streamed = await clientFor(
      (await replayStream(capture("test_bedrock_document_citations_live_stream").bytes)).url,
    ).request(question);
    expect(streamed.citations).toEqual(result.citations);
    expect(streamed.message).toEqual(result.message);
  });

  it("a cited answer goes back in the history as citationsContent", async () => {
    const server = await replayStream(capture("test_bedrock_document_citations_live_stream").bytes);
    const result = await clientFor(server.url).request(question);
    const body = buildConverseBody([...question, result.message, { role: "user", content: "Thanks" }]);
    expect(body.messages[1]).toEqual({ role: "assistant", content: result.message.content });
  });
});

describe("citations against the emulator", async () => {
  const emu = await emulator();
  it("cites the document sentence that answers, with its character range, in both modes", async () => {
    const doc =
      "Shipping takes five days. The return window is thirty days from purchase. Support is open daily.";
    const messages = [
      {
        role: "user" as const,
        content: [
          "What is the return window?",
          documentBlock({ text: doc }, { name: "Policy", citations: true }),
        ],
      },
    ];
    for (const stream of [true, false]) {
      const result = await emu.client().request(messages, { stream });
      expect(result.citations).toHaveLength(1);
      const location = (result.citations[0] as any).location.documentChar;
      expect(doc.slice(location.start, location.end)).toBe("The return window is thirty days from purchase.");
      expect(result.outputText).toBe("The return window is thirty days from purchase.");
    }
  });
});
