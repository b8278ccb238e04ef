import { createBedrock } from "bedrock-edge";
import { API_KEY } from "./fixtures.js";
import type { Context } from "./harness.ts";

export const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

/** A client for the loopback emulator: `modelIdPrefix: "none"` because AWS (and so the emulator) rejects region.id. */
export function client(ctx: Context, extra: Record<string, unknown> = {}) {
  return createBedrock(
    {
      key: API_KEY,
      url: `${ctx.emulatorUrl}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      models: { haiku: { modelName: MODEL } },
      ...extra,
    },
    { env: {} },
  );
}

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather for a city",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
