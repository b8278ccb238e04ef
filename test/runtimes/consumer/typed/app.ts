// A user's TypeScript after `npm install bedrock-edge`: every web-standard entry point, with the public types a
// user names (config, options, events, results, errors, the Wire namespace). test/runtimes/consumer/run.mjs
// type-checks it (tsc 5.9 and 7, node16 and bundler, strict, no skipLibCheck; deno check) and runs it on Node,
// Bun, Deno (--allow-net only) and workerd, against an emulator it serves on loopback.
import {
  BedrockError,
  type ChatEvent,
  type ConfigInput,
  type ConverseResult,
  createBedrock,
  type ProviderConfigInput,
  type RequestOptions,
  type ToolInput,
  type Wire,
} from "bedrock-edge";
import { type ConverseInput, createConverseClient } from "bedrock-edge/core";
import { createEmulator, type EmulatorOptions } from "bedrock-edge/emulator";
import {
  type BedrockProxy,
  createProxy,
  createSessionToken,
  type LimitStore,
  memoryStore,
  type UsageRecord,
} from "bedrock-edge/proxy";
import { type AwsCredentials, createSigV4Authorizer } from "bedrock-edge/sigv4";

export const KEY = "consumer-key-0123";
const MODEL = "amazon.nova-lite-v1:0";

export interface Summary {
  streamed: string;
  events: ChatEvent["type"][];
  requested: string;
  stopReason: ConverseResult["stopReason"];
  toolCalls: string[];
  wrongKey: string;
  core: string;
  signed: string;
  proxied: string;
  inProcess: string;
}

const textOf = (events: ChatEvent[]): string =>
  events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");

/** Everything against the emulator at `emulatorUrl` (an origin); the key is passed, no environment is read. */
export async function run(emulatorUrl: string): Promise<Summary> {
  const provider: ProviderConfigInput = {
    key: KEY,
    url: `${emulatorUrl}/model/`,
    region: "us-east-1",
    modelIdPrefix: "none",
    models: { nova: { modelName: MODEL, extraPayload: { temperature: 0.2 } } },
  };
  const config: ConfigInput = provider;
  const bedrock = createBedrock(config);

  const history: Wire.Message[] = [{ role: "user", content: [{ text: "hello from a typed consumer" }] }];
  const events: ChatEvent[] = [];
  for await (const event of bedrock.stream(history, { model: "nova" })) events.push(event);

  const weather: ToolInput = {
    name: "get_weather",
    description: "Current weather for a city",
    inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  };
  const options: RequestOptions = { model: "nova", tools: [weather], maxTokens: 200 };
  const result: ConverseResult = await bedrock.request(
    [{ role: "user", content: "What is the weather in Paris? use get_weather" }],
    options,
  );

  let wrongKey = "no error";
  try {
    await createBedrock({ ...provider, key: "wrong-key-0123" }).request([{ role: "user", content: "hi" }]);
  } catch (error) {
    wrongKey =
      error instanceof BedrockError ? `${error.name} ${error.status}` : `not a BedrockError: ${error}`;
  }

  const input: ConverseInput = { modelId: MODEL, messages: history };
  const core = createConverseClient({ key: KEY, url: `${emulatorUrl}/model/`, region: "us-east-1" });
  const coreResult = await core.request(input);

  const credentials: AwsCredentials = { accessKeyId: "AKIDCONSUMER", secretAccessKey: "consumer-secret" };
  const signer = createConverseClient({
    url: `${emulatorUrl}/model/`,
    region: "us-east-1",
    auth: createSigV4Authorizer({ region: "us-east-1", credentials }),
  });
  const signed = await signer.request(input);

  // A public page's setup: session tokens, per-caller limits kept in a store, usage reported.
  const secret = "consumer-session-secret-0123456789abcdef";
  const store: LimitStore = memoryStore();
  const usage: UsageRecord[] = [];
  const proxy: BedrockProxy = createProxy({
    tokens: ["proxy-token-0123"],
    sessions: { secret },
    limits: {
      requestsPerMinute: 100,
      tokensPerDay: 100_000,
      maxTokensPerRequest: 512,
      overMaxTokens: "clamp",
    },
    store,
    onUsage: (record) => {
      usage.push(record);
    },
    upstreamKey: KEY,
    upstream: emulatorUrl,
    defaultRegion: "us-east-1",
  });
  const session = await createSessionToken({ secret, subject: "consumer", expiresInSeconds: 60 });
  const viaProxy = createConverseClient({
    key: session,
    url: "http://proxy.test/model/",
    region: "us-east-1",
    fetch: (url, init) => proxy.fetch(new Request(url, init)),
  });
  const proxied = await viaProxy.request(input);

  const emulatorOptions: EmulatorOptions = { apiKeys: [KEY] };
  const emulator = createEmulator(emulatorOptions);
  const local = createBedrock(
    { key: KEY, url: "http://emulator.test/model/", modelIdPrefix: "none" },
    { env: {}, fetch: (url, init) => emulator.fetch(new Request(url, init)) },
  );
  const inProcess = await local.request([{ role: "user", content: "in process" }], { model: MODEL });

  return {
    streamed: textOf(events),
    events: [...new Set(events.map((e) => e.type))],
    requested: result.outputText,
    stopReason: result.stopReason,
    toolCalls: result.toolsToCall.map((call) => call.name),
    wrongKey,
    core: coreResult.outputText,
    signed: signed.outputText,
    proxied: proxied.outputText,
    inProcess: inProcess.outputText,
  };
}
