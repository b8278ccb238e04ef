import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { MissingCredentialsError as FromSigv4, resolveAuth } from "../../src/auth/credentials";
import {
  AbortError,
  AWS_ERROR_NAMES,
  BedrockError,
  type BedrockErrorName,
  ConfigError,
  CredentialsError,
  EventPayloadError,
  EventStreamError,
  IncompleteStreamError,
  MediaFormatError,
  MissingCredentialsError,
  NetworkError,
  RedirectError,
  RequestError,
  ResponseShapeError,
  ResponseTooLargeError,
  StructuredOutputError,
  serviceError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownError,
} from "../../src/errors/index";

const SRC = resolve(__dirname, "../../src");

describe("error names", () => {
  it("every exception of the service model is a named AwsErrorName", () => {
    const model = JSON.parse(
      readFileSync(resolve(__dirname, "../fixtures/service-model/service-2.json"), "utf8"),
    );
    const exceptions = Object.entries(model.shapes as Record<string, { exception?: boolean }>)
      .filter(([, shape]) => shape.exception)
      .map(([name]) => name.charAt(0).toUpperCase() + name.slice(1));
    expect(exceptions.length).toBeGreaterThan(5);
    for (const name of exceptions) expect(AWS_ERROR_NAMES).toContain(name);
  });

  it("each class of the SDK's own errors is a BedrockError named after its class", () => {
    const made: BedrockError[] = [
      new AbortError(),
      new ConfigError("region", "bad"),
      new CredentialsError("no"),
      new EventPayloadError("metadata", "bad"),
      new EventStreamError("bad CRC", 12),
      new IncompleteStreamError("cut"),
      new MediaFormatError("image", "format", "bad"),
      new MissingCredentialsError(),
      new NetworkError("lost", undefined),
      new RedirectError("no"),
      new RequestError("messages", "bad"),
      new ResponseShapeError("bad"),
      new ResponseTooLargeError("big"),
      new StructuredOutputError("x", [], "end_turn", undefined, "not JSON"),
      new TimeoutError("idleTimeoutMs", 5, "stream"),
      new UnexpectedResponseError("html"),
      new UnknownError("?"),
    ];
    for (const error of made) {
      expect(error).toBeInstanceOf(BedrockError);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it("MissingCredentialsError is a BedrockError (phase config), also from bedrock-edge/sigv4's path", () => {
    expect(FromSigv4).toBe(MissingCredentialsError);
    let thrown: unknown;
    try {
      resolveAuth({ region: "us-east-1" }, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BedrockError);
    expect((thrown as BedrockError).name).toBe("MissingCredentialsError");
    expect((thrown as BedrockError).phase).toBe("config");
  });

  it("a stream exception's camelCase type becomes AWS's class name, retryable as the AWS SDKs say", () => {
    const error = serviceError("throttlingException", "slow down", { phase: "stream" });
    expect(error.name).toBe("ThrottlingException");
    expect(error.retryable).toBe(true);
    expectTypeOf(error.name).toEqualTypeOf<BedrockErrorName>();
  });

  it("error.name narrows in a switch (a misspelt name does not compile)", () => {
    const name = (error: BedrockError): string => {
      switch (error.name) {
        case "ThrottlingException":
          return "slow";
        case "ConfigError":
          return "config";
        // @ts-expect-error not a name the package throws
        case "ConfigEror":
          return "typo";
        default:
          return error.name;
      }
    };
    expect(name(new ConfigError("", "x"))).toBe("config");
  });

  it("no error name is a bare string outside src/errors (each is made by its class)", () => {
    // run.ts is the transport being rebuilt alongside (issue 16); its three literals are typed by the union.
    const pending = new Set<string>();
    const bare: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    for (const file of walk(SRC)) {
      const rel = relative(SRC, file);
      if (rel.startsWith("errors/") || pending.has(rel)) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/new BedrockError\(\s*"([A-Za-z]+)"/g)) bare.push(`${rel}: ${m[1]}`);
    }
    expect(bare).toEqual([]);
  });
});
