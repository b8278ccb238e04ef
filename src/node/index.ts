// bedrock-edge/node: the Node-specific pieces (an HTTP adapter for web-standard fetch handlers).

export { fileReader } from "./files.ts";
export { type FetchHandler, type ServeOptions, type Server, serve } from "./serve.ts";
