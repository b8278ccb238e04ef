// Wire types of the Converse and ConverseStream APIs (generated from AWS's service model). Types only.
export type * from "./converse.ts";
