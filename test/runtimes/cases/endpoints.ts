import { buildEndpoint, geographyOf, prefixModelId } from "bedrock-edge";
import { equal, test, throws } from "./harness.ts";

test("endpoints: the documented proxy example, literally", () => {
  equal(
    buildEndpoint(
      { url: "https://proxy.example.com/model/", region: "us-east-1" },
      "anthropic.claude-3-sonnet-20240229-v1:0",
      false,
    ),
    "https://proxy.example.com/model/us-east-1.anthropic.claude-3-sonnet-20240229-v1:0/converse",
  );
});

test("endpoints: the documented modelIdPrefix region example, literally", () => {
  equal(
    buildEndpoint({ region: "eu-west-1", modelIdPrefix: "region" }, "cohere.command-r-v1:0", true),
    "https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu-west-1.cohere.command-r-v1:0/converse-stream",
  );
});

test("endpoints: AWS directly percent-encodes the id (ARNs too); a missing url slash is added", () => {
  equal(
    buildEndpoint({ region: "us-east-1" }, "anthropic.claude-3-haiku-20240307-v1:0", true),
    "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
  );
  const arn =
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0";
  equal(
    buildEndpoint({}, arn, false),
    "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse",
  );
  equal(
    buildEndpoint({ url: "https://p.example.com/model", region: "us-west-2" }, "amazon.nova-pro-v1:0"),
    "https://p.example.com/model/us-west-2.amazon.nova-pro-v1:0/converse-stream",
  );
});

test("endpoints: geo prefixes the inference geography; prefixed ids and ARNs are left alone", () => {
  equal(
    buildEndpoint(
      { region: "us-east-1", modelIdPrefix: "geo" },
      "anthropic.claude-3-haiku-20240307-v1:0",
      false,
    ),
    "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse",
  );
  equal(geographyOf("eu-west-1"), "eu");
  equal(geographyOf("ap-northeast-1"), "apac");
  throws(() => geographyOf("sa-east-1"), { message: /no cross-region inference geography/ });
  for (const id of ["us.a.b", "eu.a.b", "us-east-1.a.b", "arn:aws:bedrock:x"])
    equal(prefixModelId(id, "region", "eu-west-1"), id);
});
