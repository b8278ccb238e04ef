import { getToken } from "@aws/bedrock-token-generator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBedrockApiKey } from "../../src/auth/api-key";
import type { AwsCredentials } from "../../src/auth/types";
import { EXAMPLE } from "./helpers";

// Same inputs and the same frozen clock as AWS's @aws/bedrock-token-generator -> the identical token string.
// The generator takes no clock, so Date is frozen with vitest's fake timers while it runs.

afterEach(() => {
  vi.useRealTimers();
});

async function awsToken(credentials: AwsCredentials, region: string, now: Date, expiresInSeconds?: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now);
  try {
    return await getToken({ credentials, region, expiresInSeconds });
  } finally {
    vi.useRealTimers();
  }
}

const STS_TOKEN =
  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx+/example/session/token+with/slashes==";

const cases: { label: string; credentials: AwsCredentials; region: string; now: string; expires?: number }[] =
  [
    {
      label: "long-term keys, default 12 h",
      credentials: EXAMPLE,
      region: "us-east-1",
      now: "2025-07-01T10:20:30Z",
    },
    {
      label: "session token (/ + = in it), 1 h",
      credentials: { ...EXAMPLE, accessKeyId: "ASIAEXAMPLE2", sessionToken: STS_TOKEN },
      region: "eu-central-1",
      now: "2026-02-28T23:59:59Z",
      expires: 3600,
    },
    {
      label: "session token, 1 s, other region",
      credentials: {
        accessKeyId: "ASIAQWERTYUIOPASDFGH",
        secretAccessKey: "a/b+c".repeat(8),
        sessionToken: "x".repeat(700),
      },
      region: "ap-southeast-2",
      now: "2024-12-31T23:59:59Z",
      expires: 1,
    },
    {
      label: "max 43200 s given explicitly",
      credentials: EXAMPLE,
      region: "us-gov-west-1",
      now: "2030-01-01T00:00:00Z",
      expires: 43_200,
    },
  ];

describe("createBedrockApiKey matches @aws/bedrock-token-generator", () => {
  for (const c of cases) {
    it(c.label, async () => {
      const now = new Date(c.now);
      const expected = await awsToken(c.credentials, c.region, now, c.expires);
      const ours = await createBedrockApiKey({
        credentials: c.credentials,
        region: c.region,
        now,
        expiresInSeconds: c.expires,
      });
      expect(ours).toBe(expected);

      // And it is what it claims to be: a presigned CallWithBearerToken URL.
      expect(ours.startsWith("bedrock-api-key-")).toBe(true);
      const url = new URL(`https://${atob(ours.slice("bedrock-api-key-".length))}`);
      expect(url.host).toBe("bedrock.amazonaws.com");
      expect(url.searchParams.get("Action")).toBe("CallWithBearerToken");
      expect(url.searchParams.get("Version")).toBe("1");
      expect(url.searchParams.get("X-Amz-Expires")).toBe(String(c.expires ?? 43_200));
      expect(url.searchParams.get("X-Amz-Security-Token")).toBe(c.credentials.sessionToken ?? null);
      expect(url.searchParams.get("X-Amz-Credential")).toBe(
        `${c.credentials.accessKeyId}/${c.now.slice(0, 10).replaceAll("-", "")}/${c.region}/bedrock/aws4_request`,
      );
    });
  }

  it("takes a credentials provider too", async () => {
    const now = new Date("2025-03-03T03:03:03Z");
    const expected = await awsToken(EXAMPLE, "us-west-2", now);
    expect(await createBedrockApiKey({ credentials: async () => EXAMPLE, region: "us-west-2", now })).toBe(
      expected,
    );
  });

  it("refuses expiries AWS refuses (more than 12 h, zero, negative) and fractions", async () => {
    for (const expiresInSeconds of [43_201, 0, -5, 1.5, Number.NaN]) {
      await expect(
        createBedrockApiKey({ credentials: EXAMPLE, region: "us-east-1", expiresInSeconds }),
      ).rejects.toThrow(/expiresInSeconds must be a whole number from 1 to 43200 \(12 hours\)/);
    }
    await expect(awsToken(EXAMPLE, "us-east-1", new Date(), 43_201)).rejects.toThrow(/ExpiresInSeconds/);
  });

  it("bad credentials give a TypeError without the secret", async () => {
    const error = await createBedrockApiKey({
      credentials: { accessKeyId: "", secretAccessKey: EXAMPLE.secretAccessKey },
      region: "us-east-1",
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("accessKeyId");
    expect((error as Error).message).not.toContain(EXAMPLE.secretAccessKey);
  });
});
