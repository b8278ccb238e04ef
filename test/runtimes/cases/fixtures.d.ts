import type { EmulatorOptions } from "bedrock-edge/emulator";
import type { RecordedCapture } from "../generated/captures.js";

export { CAPTURES } from "../generated/captures.js";
export declare const API_KEY: string;
export declare function bytesOf(capture: RecordedCapture): Uint8Array;
export declare function emulatorOptions(): EmulatorOptions;
