// The proxy's bearer-token check (src/proxy/auth.ts), on its own: written against the survivors of
// `npm run test:mutation -- src/proxy/auth.ts`.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bearerToken, bearerTokenChecker } from "../../src/proxy/auth";

// Its SHA-256 starts fc 89 10 46 22 50 1b 01: bytes under 0x10 must keep their leading zero.
const TOKEN = "proxy-token-3";

describe("bearerToken", () => {
  it("reads `Bearer <token>`, in any case and with any number of spaces", () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer   ${TOKEN} `)).toBe(TOKEN);
  });

  it("refuses a header that only ends like one", () => {
    expect(bearerToken(`Basic Bearer ${TOKEN}`)).toBeUndefined();
    expect(bearerToken(`XBearer ${TOKEN}`)).toBeUndefined();
  });
});

describe("bearerTokenChecker", () => {
  it("names the caller `token:` + the first 16 hex digits of its token's SHA-256, never the token", async () => {
    const check = bearerTokenChecker(["another-token-0", TOKEN]);
    const id = await check(`Bearer ${TOKEN}`);
    expect(id).toBe(`token:${createHash("sha256").update(TOKEN).digest("hex").slice(0, 16)}`);
    expect(id).toBe("token:fc89104622501b01");
  });

  it("refuses a wrong, a missing or a malformed token", async () => {
    const check = bearerTokenChecker([TOKEN]);
    expect(await check(`Bearer ${TOKEN}x`)).toBeUndefined();
    expect(await check(null)).toBeUndefined();
    expect(await check(`Token ${TOKEN}`)).toBeUndefined();
  });
});
