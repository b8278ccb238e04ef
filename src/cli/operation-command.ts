import { dirname, resolve } from "node:path";
import type { BedrockClient } from "../client/create.ts";
import { modelsOf, openClient, pointAtEmulator, preflight } from "./chat.ts";
import { documentOf, readConfigFile } from "./config-file.ts";
import type { Io } from "./io.ts";
import { startLocalEmulator } from "./local-emulator.ts";

/** The options `count` and `embed` share with `chat`: where the config is, which provider, the emulator. */
export const CLIENT_OPTIONS = {
  config: { type: "string" },
  provider: { type: "string" },
  model: { type: "string" },
  emulator: { type: "boolean" },
} as const;

/**
 * A client set up exactly as `chat` sets one up (config file or environment, `--emulator` in process, the
 * region from AWS_REGION), with the model checked before anything is read from stdin; `run` gets it and the
 * model to use; the emulator is closed afterwards.
 */
export async function withClient<T>(
  values: { config?: string; provider?: string; model?: string; emulator?: boolean },
  io: Io,
  emulatorModel: string,
  run: (client: BedrockClient, model: string | undefined) => Promise<T>,
): Promise<T> {
  const configPath = values.config ?? (io.env.BEDROCK_EDGE_CONFIG || undefined);
  const config = configPath
    ? await readConfigFile(configPath, values.provider)
    : documentOf({}, "config from the environment");
  let model = values.model;
  const emulator = values.emulator ? await startLocalEmulator() : undefined;
  try {
    if (emulator) {
      pointAtEmulator(config, emulator);
      if (model === undefined && Object.keys(modelsOf(config)).length === 0) model = emulatorModel;
    } else if (config.block && config.block.region === undefined) {
      const region = io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION;
      if (region) config.block.region = region;
    }
    const client = openClient(config, io, {
      provider: values.provider,
      baseDir: configPath ? dirname(resolve(configPath)) : undefined,
    });
    preflight(client, { model });
    return await run(client, model);
  } finally {
    await emulator?.close();
  }
}
