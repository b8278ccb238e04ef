import { describe, expect, it } from "vitest";
import {
  cachedCredentials,
  MissingCredentialsError,
  resolveAuth,
  resolveRegion,
} from "../../src/auth/credentials";
import type { AwsCredentials, SigV4Authorizer } from "../../src/auth/types";
import { EXAMPLE, parseAuthorization } from "./helpers";

const URL_ = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse";
const authHeader = async (auth: ReturnType<typeof resolveAuth>) =>
  (await auth(new Request(URL_, { method: "POST", body: "{}" }))).headers.get("authorization")!;

describe("resolveAuth: documented order", () => {
  const awsEnv = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret" };
  const keyEnv = { AWS_BEARER_TOKEN_BEDROCK: "bearer-env", BEDROCK_API_KEY: "api-key-env" };

  it("explicit key wins over everything", async () => {
    const auth = resolveAuth(
      { key: "explicit", credentials: EXAMPLE, region: "us-east-1" },
      { ...keyEnv, ...awsEnv },
    );
    expect(await authHeader(auth)).toBe("Bearer explicit");
  });

  it("explicit credentials come next (SigV4), over env keys", async () => {
    const auth = resolveAuth({ credentials: EXAMPLE, region: "eu-west-1" }, { ...keyEnv, ...awsEnv });
    const parsed = parseAuthorization(await authHeader(auth));
    expect(parsed.accessKeyId).toBe("AKIDEXAMPLE");
    expect(parsed.region).toBe("eu-west-1");
    expect(parsed.service).toBe("bedrock");
    expect(typeof (auth as SigV4Authorizer).correctClock).toBe("function");
  });

  it("then AWS_BEARER_TOKEN_BEDROCK, then BEDROCK_API_KEY", async () => {
    expect(await authHeader(resolveAuth({ region: "us-east-1" }, { ...keyEnv, ...awsEnv }))).toBe(
      "Bearer bearer-env",
    );
    expect(
      await authHeader(resolveAuth({ region: "us-east-1" }, { BEDROCK_API_KEY: "api-key-env", ...awsEnv })),
    ).toBe("Bearer api-key-env");
  });

  it("then AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)", async () => {
    const auth = resolveAuth({ region: "us-west-2" }, { ...awsEnv, AWS_SESSION_TOKEN: "env-token" });
    const signed = await auth(new Request(URL_, { method: "POST", body: "{}" }));
    expect(parseAuthorization(signed.headers.get("authorization")!).accessKeyId).toBe("AKIAENV");
    expect(signed.headers.get("x-amz-security-token")).toBe("env-token");
    const noToken = await resolveAuth(
      { region: "us-west-2" },
      awsEnv,
    )(new Request(URL_, { method: "POST", body: "{}" }));
    expect(noToken.headers.get("x-amz-security-token")).toBeNull();
  });

  it("empty strings count as unset", async () => {
    const auth = resolveAuth(
      { key: "", region: "us-east-1" },
      { AWS_BEARER_TOKEN_BEDROCK: "", BEDROCK_API_KEY: "k2" },
    );
    expect(await authHeader(auth)).toBe("Bearer k2");
  });

  it("a provider is cached: one call for many requests", async () => {
    let calls = 0;
    const auth = resolveAuth(
      {
        credentials: async () => {
          calls++;
          return { ...EXAMPLE, expiration: new Date(Date.now() + 3_600_000) };
        },
        region: "us-east-1",
      },
      {},
    );
    await Promise.all(Array.from({ length: 20 }, () => authHeader(auth)));
    expect(calls).toBe(1);
  });

  it("nothing found: MissingCredentialsError listing what was looked for, no secret values", () => {
    const env = { AWS_ACCESS_KEY_ID: "AKIAONLYHALF", AWS_SESSION_TOKEN: "secret-token-value" };
    let error: unknown;
    try {
      resolveAuth({ region: "us-east-1" }, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingCredentialsError);
    const e = error as MissingCredentialsError;
    expect(e.name).toBe("MissingCredentialsError");
    for (const name of [
      "options.key",
      "options.credentials",
      "AWS_BEARER_TOKEN_BEDROCK",
      "BEDROCK_API_KEY",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ]) {
      expect(e.message).toContain(name);
    }
    expect(e.message).toContain("AWS_SECRET_ACCESS_KEY is not set");
    expect(e.message).not.toContain("AKIAONLYHALF");
    expect(e.message).not.toContain("secret-token-value");
    expect(() => resolveAuth({ region: "us-east-1" }, {})).toThrow(MissingCredentialsError);
  });
});

describe("resolveRegion", () => {
  it("config, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1", () => {
    const env = { AWS_REGION: "eu-west-3", AWS_DEFAULT_REGION: "ap-south-1" };
    expect(resolveRegion("us-west-2", env)).toBe("us-west-2");
    expect(resolveRegion(undefined, env)).toBe("eu-west-3");
    expect(resolveRegion("", { AWS_DEFAULT_REGION: "ap-south-1" })).toBe("ap-south-1");
    expect(resolveRegion(undefined, {})).toBe("us-east-1");
  });
});

describe("cachedCredentials", () => {
  const make = (ttlMs: number | undefined, clock: () => number, delayMs = 20) => {
    let calls = 0;
    let failNext = false;
    const provider = async (): Promise<AwsCredentials> => {
      calls++;
      const n = calls;
      await new Promise((r) => setTimeout(r, delayMs));
      if (failNext) {
        failNext = false;
        throw new Error(`sts unavailable (call ${n})`);
      }
      return {
        ...EXAMPLE,
        sessionToken: `t${n}`,
        ...(ttlMs === undefined ? {} : { expiration: new Date(clock() + ttlMs) }),
      };
    };
    return { provider, calls: () => calls, failOnce: () => (failNext = true) };
  };

  it("50 concurrent callers share one provider call", async () => {
    let now = 1_000_000;
    const p = make(3_600_000, () => now);
    const cached = cachedCredentials(p.provider, { clock: () => now });
    const results = await Promise.all(Array.from({ length: 50 }, () => cached()));
    expect(p.calls()).toBe(1);
    expect(new Set(results.map((r) => r.sessionToken))).toEqual(new Set(["t1"]));
    // Still fresh later on.
    now += 30 * 60_000;
    expect((await cached()).sessionToken).toBe("t1");
    expect(p.calls()).toBe(1);
  });

  it("refreshes refreshBeforeMs ahead of expiration, again with one shared call", async () => {
    let now = 0;
    const p = make(60 * 60_000, () => now);
    const cached = cachedCredentials(p.provider, { clock: () => now, refreshBeforeMs: 5 * 60_000 });
    expect((await cached()).sessionToken).toBe("t1");
    now = 55 * 60_000 - 1;
    expect((await cached()).sessionToken).toBe("t1");
    now = 55 * 60_000;
    const results = await Promise.all(Array.from({ length: 50 }, () => cached()));
    expect(results.every((r) => r.sessionToken === "t2")).toBe(true);
    expect(p.calls()).toBe(2);
  });

  it("credentials without expiration are kept", async () => {
    let now = 0;
    const p = make(undefined, () => now);
    const cached = cachedCredentials(p.provider, { clock: () => now });
    await cached();
    now = 1e12;
    await cached();
    expect(p.calls()).toBe(1);
  });

  it("a failing refresh rejects every waiting caller; the next call tries again", async () => {
    const now = 0;
    const p = make(10 * 60_000, () => now);
    const cached = cachedCredentials(p.provider, { clock: () => now });
    p.failOnce();
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => cached()));
    expect(
      settled.every((s) => s.status === "rejected" && /sts unavailable \(call 1\)/.test(String(s.reason))),
    ).toBe(true);
    expect(p.calls()).toBe(1);
    expect((await cached()).sessionToken).toBe("t2");
    expect(p.calls()).toBe(2);
  });

  it("rejects a provider result without keys or with a bad expiration", async () => {
    await expect(cachedCredentials(async () => ({}) as AwsCredentials)()).rejects.toThrow(
      /accessKeyId\/secretAccessKey/,
    );
    await expect(
      cachedCredentials(async () => ({ ...EXAMPLE, expiration: new Date("nope") }))(),
    ).rejects.toThrow(/invalid expiration/);
  });
});

// Written against the survivors of `npm run test:mutation -- src/auth/credentials.ts`.
describe("credentials: the edges a user meets", () => {
  it("only the secret key set: the error names the missing access key id; nothing set: no such sentence", () => {
    expect(() => resolveAuth({ region: "us-east-1" }, { AWS_SECRET_ACCESS_KEY: "half-secret" })).toThrow(
      /AWS_ACCESS_KEY_ID is not set, so the other AWS key was not used/,
    );
    let message = "";
    try {
      resolveAuth({ region: "us-east-1" }, {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain("is not set");
    expect(message).not.toContain("other AWS key");
  });

  it("refreshes 5 minutes before expiration by default", async () => {
    let now = 0;
    let calls = 0;
    const cached = cachedCredentials(
      async () => {
        calls++;
        return { ...EXAMPLE, expiration: new Date(now + 10 * 60_000) };
      },
      { clock: () => now },
    );
    await cached();
    now += 4 * 60_000; // 6 minutes left: kept
    await cached();
    expect(calls).toBe(1);
    now += 2 * 60_000; // 4 minutes left: refreshed
    await cached();
    expect(calls).toBe(2);
  });

  it("rejects a provider that returns nothing, or only one of the two keys", async () => {
    const { accessKeyId, secretAccessKey } = EXAMPLE;
    for (const result of [undefined, { accessKeyId }, { secretAccessKey }]) {
      await expect(cachedCredentials(async () => result as unknown as AwsCredentials)()).rejects.toThrow(
        "credentials provider returned no accessKeyId/secretAccessKey strings",
      );
    }
  });
});
