// bedrock-edge/emulator: a local Bedrock Runtime (Converse / ConverseStream) speaking the AWS wire
// protocol, as a web-standard fetch handler. See docs/emulator.md.
export { createEmulator, HEADER } from "./emulator";
export { EmulatorError, ERROR_STATUS, type ErrorCode } from "./errors";
export {
  type Fault,
  FaultSpecError,
  fault,
  formatFaults,
  parseFaults,
  type StreamExceptionType,
} from "./faults";
export { DEFAULT_BLOCKED_MESSAGE } from "./model/builtin";
export type { Operation } from "./route";
export type {
  Emulator,
  EmulatorOptions,
  ModelReply,
  Recordings,
  RequestInfo,
  Responder,
  ResponderContext,
} from "./types";
