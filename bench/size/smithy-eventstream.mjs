// @smithy/eventstream-codec with @smithy/util-utf8: the event-stream decoder alone.
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

export const codec = new EventStreamCodec(toUtf8, fromUtf8);
