// Every shared case, registered in a fixed order. Runners import this and then run `cases`.
import "./config.ts";
import "./endpoints.ts";
import "./request-body.ts";
import "./stream.ts";
import "./client.ts";
import "./core.ts";
import "./errors.ts";
import "./operations.ts";

export { emulatorOptions } from "./fixtures.js";
export { type Case, type CaseResult, type Context, cases, runAll } from "./harness.ts";
