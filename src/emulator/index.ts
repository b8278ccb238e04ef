// bedrock-edge/emulator: a local Bedrock Runtime (Converse / ConverseStream) speaking the AWS wire
// protocol, as a web-standard fetch handler. See docs/emulator.md.
export { createEmulator, HEADER } from "./emulator.ts";
export {
  type Fault,
  FaultSpecError,
  fault,
  formatFaults,
  parseFaults,
  type StreamExceptionType,
} from "./faults/spec.ts";
export { EmulatorError, ERROR_STATUS, type ErrorCode } from "./http/errors.ts";
export type { Operation } from "./http/route.ts";
export { DEFAULT_BLOCKED_MESSAGE } from "./model/builtin.ts";
export type {
  Emulator,
  EmulatorOptions,
  ModelReply,
  Recordings,
  RequestInfo,
  Responder,
  ResponderContext,
} from "./types.ts";
