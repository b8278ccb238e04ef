// What examples/ai-chat loads as ./vendor/ai.js: the AI SDK's client pieces, dependencies bundled in.
export { DefaultChatTransport, readUIMessageStream } from "ai";
