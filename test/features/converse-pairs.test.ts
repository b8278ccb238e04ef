import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConverseResult } from "../../src/client/options";
import { BedrockError } from "../../src/errors";
import { FIXTURES } from "../helpers/fixtures";
import { clientFor, pairs, replayConverse, responseText } from "./helpers";

const NATIVE = [
  "system",
  "inferenceConfig",
  "toolConfig",
  "additionalModelRequestFields",
  "guardrailConfig",
  "performanceConfig",
  "outputConfig",
];

/** Where each top-level /converse response field lands in the result. */
const FIELD_IN_RESULT: Record<string, (r: ConverseResult) => unknown> = {
  output: (r) => ({ message: r.message }),
  stopReason: (r) => r.stopReason,
  usage: (r) => r.usage,
  metrics: (r) => r.metrics,
  trace: (r) => r.trace,
  additionalModelResponseFields: (r) => r.additionalModelResponseFields,
  performanceConfig: (r) => r.performanceConfig,
  serviceTier: (r) => r.serviceTier,
};

// Fields a /converse response carries that the client does not pass on yet (see the features report: the
// /converse-to-events mapping in src/client/converse-json.ts drops them). Kept explicit so none is lost silently.
const files = readdirSync(join(FIXTURES, "recorded/converse")).filter((f) => f.endsWith(".json"));

describe("every recorded Converse pair is parsed by request() with every field kept", () => {
  it("covers the whole folder", () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  for (const file of files) {
    it(file, async () => {
      const recorded = pairs(file);
      const server = await replayConverse(recorded);
      for (const [i, pair] of recorded.entries()) {
        const body = JSON.parse(pair.request.body);
        const options: Record<string, unknown> = { stream: false };
        for (const key of NATIVE) {
          if (body[key] !== undefined && !(Array.isArray(body[key]) && body[key].length === 0))
            options[key] = body[key];
        }
        if (options.inferenceConfig && Object.keys(options.inferenceConfig).length === 0)
          delete options.inferenceConfig;
        const model = decodeURIComponent(pair.request.uri.split("/model/")[1].replace(/\/converse$/, ""));
        const call = clientFor(server.url, model).request(body.messages, options);
        const response = JSON.parse(responseText(pair));
        if (pair.response.status !== 200) {
          const error = await call.catch((e) => e);
          expect(error).toBeInstanceOf(BedrockError);
          expect(error.status).toBe(pair.response.status);
          expect(error.message).toContain(response.message);
          continue;
        }
        const result = await call;
        // What we sent: the recorded messages, unchanged.
        expect(JSON.parse(server.received[i].body).messages, `${file} request ${i}`).toEqual(body.messages);
        for (const [field, value] of Object.entries(response)) {
          const where = FIELD_IN_RESULT[field];
          expect(where, `${file}: a mapping for response field ${field}`).toBeDefined();
          expect(where(result), `${file} ${field}`).toEqual(value);
        }
        const text = response.output.message.content.map((b: any) => b.text ?? "").join("");
        if (!response.output.message.content.some((b: any) => b.citationsContent))
          expect(result.outputText).toBe(text);
        const calls = response.output.message.content.filter(
          (b: any) => b.toolUse && b.toolUse.type !== "server_tool_use",
        );
        expect(result.toolsToCall.map((c) => [c.id, c.name, c.arguments])).toEqual(
          calls.map((b: any) => [b.toolUse.toolUseId, b.toolUse.name, b.toolUse.input]),
        );
      }
    });
  }
});
