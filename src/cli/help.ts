// Help texts. Kept as plain text (no colours) so they read the same in a terminal, a pipe and the docs.

import { SERVE_FLAGS_HELP } from "./serve-flags.ts";

export const DEFAULT_EMULATOR_PORT = 8765;

export const MAIN_HELP = `bedrock-edge: Amazon Bedrock Converse from the command line, and a local Bedrock emulator

Usage: bedrock-edge <command> [options]

Commands:
  demo        a streamed chat with a tool call against the built-in emulator (no network, no keys)
  chat        send a prompt to Bedrock (or to the emulator) and stream the answer
  count       count the input tokens a prompt would take (CountTokens), without running the model
  embed       embedding vectors for texts, one JSON array per line
  emulator    serve the Bedrock Runtime emulator over HTTP, for your apps and tests
%PROXY%  help CMD    show the help of a command

Options:
  -h, --help          show help
  -v, --version       print the version
  --log-level LEVEL   silent | error | warn | info | debug (debug logs requests and events to stderr)

Run \`bedrock-edge <command> --help\` for the options of a command.
`;

export const PROXY_LINE = "  proxy       run the signing CORS proxy that lets browser apps call Bedrock\n";

export const DEMO_HELP = `Usage: bedrock-edge demo [options] [PROMPT...]

Starts the Bedrock emulator in this process on a free loopback port and runs a two-turn chat with a
get_weather tool: streams the answer, shows the tool call and its arguments, runs the tool, sends the
result back, streams the final answer and prints the token usage. Needs no network and no credentials.

The default prompt is "What's the weather in Lisbon right now?". The tool knows Lisbon, Paris, London,
New York, Tokyo and Sydney.

Options:
  --delay MS          pause between stream events (default 35 on a terminal, 0 otherwise)
  --log-level LEVEL   silent | error | warn | info | debug (debug logs requests and events to stderr)
  -h, --help          show this help
`;

export const CHAT_HELP = `Usage: bedrock-edge chat [options] [PROMPT...]

Sends PROMPT (read from stdin when none is given) to Bedrock's Converse API and streams the answer to
stdout. Token usage goes to stderr (not with --log-level silent).

Options:
  --config FILE       an ECA config file: {"providers": {...}} (the one with "api": "bedrock") or a bare
                      provider block; \${env:VAR}, \${env:VAR:default} and \${file:PATH} (relative to the
                      file) are filled in (default: the file named by BEDROCK_EDGE_CONFIG, else the environment)
  --provider NAME     which provider, when the document has several with "api": "bedrock"
  --model NAME        an alias from the config's models, PROVIDER/ALIAS, or a Bedrock model id
  --system TEXT       a system prompt
  --max-tokens N      the answer's token limit (default 1024)
  --temperature T     sampling temperature, 0 to 2
  -i, --interactive   one user turn per line of stdin, with the history, until EOF
  --no-stream         call /converse (one JSON response) instead of /converse-stream (as does a model
                      whose extraPayload says "stream": false)
  --emulator          run against an in-process emulator: no network, no keys (overrides url and key)
  --log-level LEVEL   silent | error | warn | info | debug (debug logs requests and events to stderr)
  -h, --help          show this help

Environment:
  AWS_BEARER_TOKEN_BEDROCK, BEDROCK_API_KEY   a Bedrock API key, when the config sets no key
  <PROVIDER>_API_KEY, <PROVIDER>_API_URL      key and url of a provider that sets none (ECA's fallback)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,   AWS credentials (signed with SigV4), when there is no key
  AWS_SESSION_TOKEN
  BEDROCK_EDGE_CONFIG                         the config file, when --config is not given
  AWS_REGION, AWS_DEFAULT_REGION              the region, when the config sets none (default us-east-1)
  NO_COLOR                                    no colours even on a terminal

Exit status: 0 answered; 1 the call failed (service, network or stream error); 2 bad usage, config, key
or model name; 130 interrupted.

Examples:
  bedrock-edge chat --emulator "What is 6 * 7?"
  bedrock-edge chat --config eca.json --model claude "Write a haiku about rivers"
  git diff | bedrock-edge chat --config eca.json --system "Review this diff"
`;

export const EMULATOR_HELP = `Usage: bedrock-edge emulator [options]

Serves the Bedrock Runtime emulator over HTTP: POST /model/{modelId}/converse and
/model/{modelId}/converse-stream, answered in AWS's wire format by a deterministic built-in model.
Prints "listening on http://HOST:PORT" as its first line on stdout, logs one line per request to
stderr, and stops cleanly on Ctrl-C or SIGTERM.

Options:
  --port N            port to listen on (default ${DEFAULT_EMULATOR_PORT}; 0 picks a free port)
  --host HOST         address to bind (default 127.0.0.1)
  --api-key KEY       accept only this bearer key (repeatable; default: any key is accepted)
  --model ID          accept only this model id (repeatable; default: any valid id)
  --fault SPEC        faults for every request, e.g. throttle, "model-stream-error;after=3", "stall;ms=500"
  --event-delay MS    pause between stream events
  --chunk-size N      split response bodies into chunks of N bytes
  --log-level LEVEL   info (default): a line per request; debug: also the request body; silent: nothing
${SERVE_FLAGS_HELP}  -h, --help          show this help

Point a client at it:
  bedrock-edge config   {"providers": {"bedrock": {"url": "http://127.0.0.1:${DEFAULT_EMULATOR_PORT}/model/",
                         "modelIdPrefix": "none", "key": "any-key"}}}
  AWS SDK               new BedrockRuntimeClient({ endpoint: "http://127.0.0.1:${DEFAULT_EMULATOR_PORT}", ... })
  per request           header x-bedrock-edge-fault: SPEC, or a model id fault.SPEC
`;

export const COUNT_HELP = `Usage: bedrock-edge count [options] [PROMPT...]

Counts the input tokens PROMPT (read from stdin when none is given) would take with --model, as Bedrock's
CountTokens answers, and prints the number. Nothing is generated and nothing is billed.

Options:
  --config FILE       an ECA config file (as for chat)
  --provider NAME     which provider, when the document has several with "api": "bedrock"
  --model NAME        an alias from the config's models, PROVIDER/ALIAS, or a Bedrock model id
  --system TEXT       a system prompt, counted too
  --emulator          count with an in-process emulator: no network, no keys
  --log-level LEVEL   silent | error | warn | info | debug
  -h, --help          show this help

Environment and exit status: as for chat (bedrock-edge chat --help).
`;

export const EMBED_HELP = `Usage: bedrock-edge embed [options] [TEXT...]

Embeds each TEXT (or, without arguments, each non-empty line of stdin) and prints one vector per line, as a
JSON array, in order. Models: Titan Text Embeddings V2, Titan Multimodal Embeddings G1, Cohere Embed v3/v4,
Nova Multimodal Embeddings; batches and concurrency are handled for you.

Options:
  --config FILE       an ECA config file (as for chat)
  --provider NAME     which provider, when the document has several with "api": "bedrock"
  --model NAME        an embedding model id or alias (with --emulator, default amazon.titan-embed-text-v2:0)
  --dimensions N      the vector length, where the model lets you choose
  --purpose P         document (default) | query | classification | clustering
  --normalize         unit-length vectors
  --emulator          embed with an in-process emulator: no network, no keys
  --log-level LEVEL   silent | error | warn | info | debug
  -h, --help          show this help

Environment and exit status: as for chat (bedrock-edge chat --help).
`;
