import { BedrockError } from "../client/errors.ts";

/** Messages, tools or options that cannot become a Converse request; `path` says where. */
export class RequestError extends BedrockError {
  path: string;
  constructor(path: string, message: string) {
    super("RequestError", `${path}: ${message}`, { phase: "config" });
    this.path = path;
  }
}
