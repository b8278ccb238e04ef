// Every shared case, registered in a fixed order. Runners import this and then run `cases`.
import "./config";
import "./endpoints";
import "./request-body";
import "./stream";
import "./client";
import "./core";
import "./errors";

export { emulatorOptions } from "./fixtures.js";
export { type Case, type CaseResult, type Context, cases, runAll } from "./harness";
