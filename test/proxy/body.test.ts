// The proxy's request body reader (src/proxy/body.ts), on its own: written against the survivors of
// `npm run test:mutation -- src/proxy/body.ts`.
import { describe, expect, it } from "vitest";
import { readLimitedBody } from "../../src/proxy/body";

const bytes = (...values: number[]) => new Uint8Array(values);

/** A POST whose body is a stream: the chunks given, then `end` (close, error, or never). */
function post(chunks: Uint8Array[], end: "close" | "error" | "never", headers: HeadersInit = {}) {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      if (end === "close") controller.close();
      if (end === "error") controller.error(new Error("connection reset"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const request = new Request("https://proxy.test/x", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
  return { request, cancelled: () => cancelled };
}

describe("readLimitedBody", () => {
  it("joins a body that arrives in several chunks, in order", async () => {
    const { request } = post([bytes(1, 2), bytes(3), bytes(4, 5, 6)], "close");
    const result = await readLimitedBody(request, 100);
    expect(result).toEqual({ ok: true, bytes: bytes(1, 2, 3, 4, 5, 6) });
  });

  it("refuses a declared content-length over the limit before reading (a body that never ends does not hang it)", async () => {
    const { request, cancelled } = post([], "never", { "content-length": "1000" });
    const result = await readLimitedBody(request, 10);
    expect(result).toEqual({ ok: false, reason: "too-large" });
    expect(cancelled()).toBe(true);
  });

  it("refuses a body over the limit as it is counted, without a declared length", async () => {
    const { request, cancelled } = post([bytes(1, 2, 3), bytes(4, 5, 6)], "never");
    expect(await readLimitedBody(request, 4)).toEqual({ ok: false, reason: "too-large" });
    expect(cancelled()).toBe(true);
  });

  it("says a body that fails mid-way is unreadable, never forwards what arrived before", async () => {
    const { request } = post([bytes(1, 2, 3)], "error");
    expect(await readLimitedBody(request, 100)).toEqual({ ok: false, reason: "unreadable" });
  });
});
