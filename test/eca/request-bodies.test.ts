// Request bodies Bedrock accepts (issue 13): prompt resources, audio bytes, blank text, Claude's effort; and the
// emulator refusing what Bedrock refuses, so a defect cannot pass unnoticed against it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { BedrockError } from "../../src/errors";
import { type Server, serve } from "../../src/node";
import { buildConverseBody } from "../../src/request/body";

const PROMPT = "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12AB:1";
const CLAUDE = "anthropic.claude-sonnet-4-20250514-v1:0";
let server: Server;
beforeAll(async () => {
  server = await serve(createEmulator());
});
afterAll(() => server.close());

/** A client on the emulator that records every body it sends. */
function client() {
  const sent: Record<string, any>[] = [];
  const bedrock = createBedrock(
    { url: `${server.url}/model/`, key: "k-test-1234", modelIdPrefix: "none" },
    {
      env: {},
      fetch: async (input, init) => {
        const request = new Request(input, init);
        sent.push(JSON.parse(await request.clone().text()));
        return fetch(request);
      },
    },
  );
  return { bedrock, sent };
}

/** A raw call to the emulator, for what the SDK would never send. */
async function raw(model: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/model/${encodeURIComponent(model)}/converse`, {
    method: "POST",
    headers: { authorization: "Bearer k", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function rejection(p: Promise<unknown>): Promise<BedrockError> {
  const error = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(error).toBeInstanceOf(BedrockError);
  return error;
}

describe("a prompt from Prompt management as the model", () => {
  it("sends promptVariables and no inferenceConfig, system or toolConfig; messages may be empty", async () => {
    const { bedrock, sent } = client();
    const result = await bedrock.request([], {
      model: PROMPT,
      promptVariables: { genre: { text: "jazz" } },
    });
    expect(sent[0]).toEqual({ messages: [], promptVariables: { genre: { text: "jazz" } } });
    expect(result.outputText).not.toBe("");
    // Messages appended to the prompt go as they are.
    await bedrock.request([{ role: "user", content: "And in French?" }], {
      model: PROMPT,
      promptVariables: { genre: { text: "jazz" } },
      stream: false,
    });
    expect(Object.keys(sent[1]).sort()).toEqual(["messages", "promptVariables"]);
  });

  it.each([
    [{ temperature: 0.2 }, "inferenceConfig"],
    [{ system: "Be brief" }, "system"],
    [{ tools: [{ name: "t", inputSchema: { type: "object" } }] }, "toolConfig"],
    [{ reasoning: { budgetTokens: 2000 } }, "additionalModelRequestFields"],
  ])("refuses %j locally with a RequestError naming %s", async (options, field) => {
    const { bedrock, sent } = client();
    const e = await rejection(bedrock.request([], { model: PROMPT, ...(options as object) }));
    expect(e.name).toBe("RequestError");
    expect(e.message).toContain(`can't take ${field}`);
    expect(sent).toHaveLength(0);
  });

  it("the emulator refuses those fields with a prompt resource, as Bedrock does", async () => {
    const { status, json } = await raw(PROMPT, { messages: [], inferenceConfig: { maxTokens: 1024 } });
    expect(status).toBe(400);
    expect(json.message).toMatch(/can't include the following fields .*Prompt management: inferenceConfig/);
    // ... and still wants messages from a model id that is not a prompt.
    expect((await raw(CLAUDE, { messages: [] })).status).toBe(400);
  });
});

describe("audio bytes", () => {
  it("go out as base64, the format inferred from the bytes (WAV) when not given", async () => {
    const wav = new Uint8Array([...new TextEncoder().encode("RIFF\x24\0\0\0WAVEfmt "), 1, 2, 3]);
    const body = buildConverseBody([
      { role: "user", content: [{ audio: { source: { bytes: wav } } }, "Transcribe"] },
    ]);
    expect((body.messages[0] as any).content[0]).toEqual({
      audio: { format: "wav", source: { bytes: Buffer.from(wav).toString("base64") } },
    });
    const { bedrock, sent } = client();
    await bedrock.request(
      [
        {
          role: "user",
          content: [{ audio: { format: "mp3", source: { bytes: new Uint8Array([73, 68, 51]) } } }, "Hi"],
        },
      ],
      { model: CLAUDE },
    );
    expect(sent[0].messages[0].content[0].audio.source.bytes).toBe("SUQz");
  });

  it("unknown audio bytes without a format are a RequestError, not a guess", () => {
    expect(() =>
      buildConverseBody([
        { role: "user", content: [{ audio: { source: { bytes: new Uint8Array([1, 2, 3]) } } }] },
      ]),
    ).toThrow(/audio\.format: could not infer the audio format/);
  });

  it("the emulator refuses raw-byte objects where Bedrock wants base64", async () => {
    const { status, json } = await raw(CLAUDE, {
      messages: [
        { role: "user", content: [{ audio: { format: "mp3", source: { bytes: { 0: 73, 1: 68 } } } }] },
      ],
    });
    expect(status).toBe(400);
    expect(json.message).toMatch(/messages\.0\.content\.0\.audio\.source\.bytes/);
  });
});

describe("blank user text", () => {
  it.each(["", "  \n\t"])(
    "%j is a RequestError naming the message index, and nothing is sent",
    async (text) => {
      const { bedrock, sent } = client();
      const history = [
        { role: "user" as const, content: "Hello" },
        { role: "assistant" as const, content: "Hi!" },
        { role: "user" as const, content: text },
      ];
      const e = await rejection(bedrock.request(history, { model: CLAUDE }));
      expect(e.name).toBe("RequestError");
      expect(e.message).toMatch(/^messages\[2\]\.content: blank text in user message 2/);
      const inBlocks = await rejection(
        bedrock.request([{ role: "user", content: [{ text: "ok" }, { text: "" }] }], { model: CLAUDE }),
      );
      expect(inBlocks.message).toMatch(/^messages\[0\]\.content\[1\]: blank text/);
      expect(sent).toHaveLength(0);
    },
  );

  it("a whitespace block next to real content goes as it is (a recorded Bedrock request had one and got a 200)", async () => {
    const { bedrock, sent } = client();
    await bedrock.request(
      [{ role: "user", content: [{ text: "Read this" }, { text: "\n" }, { text: "Sum?" }] }],
      {
        model: CLAUDE,
      },
    );
    expect(sent[0].messages[0].content[1]).toEqual({ text: "\n" });
  });

  it("the emulator answers Bedrock's ValidationException for a blank text block", async () => {
    const empty = await raw(CLAUDE, {
      messages: [{ role: "user", content: [{ text: "Hi" }, { text: "" }] }],
    });
    expect(empty.json.message).toMatch(/at messages\.0\.content\.1 is blank/);
    const { status, json } = await raw(CLAUDE, { messages: [{ role: "user", content: [{ text: " " }] }] });
    expect(status).toBe(400);
    expect(json.message).toBe(
      "The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.",
    );
  });
});

describe("Claude's effort", () => {
  const fields = (reasoning: unknown) =>
    buildConverseBody([{ role: "user", content: "x" }], { reasoning } as any).additionalModelRequestFields;

  it("goes to additionalModelRequestFields.output_config.effort, alone or with thinking", () => {
    expect(fields({ effort: "medium" })).toEqual({ output_config: { effort: "medium" } });
    expect(fields({ type: "adaptive", effort: "low" })).toEqual({
      thinking: { type: "adaptive" },
      output_config: { effort: "low" },
    });
    expect(fields({ budgetTokens: 4000, effort: "max" })).toEqual({
      thinking: { type: "enabled", budget_tokens: 4000 },
      output_config: { effort: "max" },
    });
    expect(fields({ effort: "xhigh" })).toEqual({ output_config: { effort: "xhigh" } });
  });

  it("keeps other model fields and refuses levels a family does not have", () => {
    const body = buildConverseBody([{ role: "user", content: "x" }], {
      reasoning: { effort: "high" },
      additionalModelRequestFields: { output_config: { other: 1 }, top_k: 5 },
    } as any);
    expect(body.additionalModelRequestFields).toEqual({
      output_config: { other: 1, effort: "high" },
      top_k: 5,
    });
    expect(() => fields({ effort: "max", format: "nova" })).toThrow(/expected "low", "medium", "high"/);
    expect(() => fields({ effort: "extreme" })).toThrow(/got "extreme"/);
  });
});
