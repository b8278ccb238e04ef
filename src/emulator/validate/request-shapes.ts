import type { Shape } from "./shapes.ts";

// The Converse request members the emulator reads, as declared in the service model (checked against it by
// test/emulator/request-shapes.test.ts).

const S3_LOCATION: Shape = { struct: { uri: "string", bucketOwner: "string" }, required: ["uri"] };
const MEDIA: Shape = {
  struct: { format: "string", source: { union: { bytes: "string", s3Location: S3_LOCATION } } },
  required: ["format", "source"],
};
const TEXTS: Shape = { array: { struct: { text: "string" }, required: ["text"] } };
const CITATIONS_CONFIG: Shape = { struct: { enabled: "boolean" }, required: ["enabled"] };
const DOCUMENT: Shape = {
  struct: {
    name: "nonEmptyString",
    format: "string",
    context: "string",
    citations: CITATIONS_CONFIG,
    source: { union: { bytes: "string", s3Location: S3_LOCATION, text: "string", content: TEXTS } },
  },
  required: ["name", "source"],
};
const SEARCH_RESULT: Shape = {
  struct: { source: "string", title: "string", content: TEXTS, citations: CITATIONS_CONFIG },
  required: ["source", "title", "content"],
};
const CACHE_POINT: Shape = {
  struct: { type: { enum: ["default"] }, ttl: { enum: ["5m", "1h"] } },
  required: ["type"],
};
// A guardrail image takes bytes only (GuardrailConverseImageSource has no s3Location).
const GUARD_IMAGE: Shape = {
  struct: { format: "string", source: { union: { bytes: "string" } } },
  required: ["format", "source"],
};
const GUARD_CONTENT: Shape = {
  union: {
    text: { struct: { text: "string", qualifiers: { array: "string" } }, required: ["text"] },
    image: GUARD_IMAGE,
  },
};
const TOOL_USE: Shape = {
  struct: { toolUseId: "nonEmptyString", name: "nonEmptyString", input: "any", type: "string" },
  required: ["toolUseId", "name", "input"],
};
const TOOL_RESULT: Shape = {
  struct: {
    toolUseId: "nonEmptyString",
    content: {
      array: {
        union: {
          json: "any",
          text: "string",
          image: MEDIA,
          document: DOCUMENT,
          video: MEDIA,
          searchResult: SEARCH_RESULT,
        },
      },
    },
    status: { enum: ["success", "error"] },
    type: "string",
  },
  required: ["toolUseId", "content"],
};

export const CONTENT_BLOCK: Shape = {
  union: {
    text: "string",
    image: MEDIA,
    document: DOCUMENT,
    video: MEDIA,
    audio: MEDIA,
    toolUse: TOOL_USE,
    toolResult: TOOL_RESULT,
    guardContent: GUARD_CONTENT,
    cachePoint: CACHE_POINT,
    reasoningContent: {
      union: {
        reasoningText: { struct: { text: "string", signature: "string" }, required: ["text"] },
        redactedContent: "string",
      },
    },
    citationsContent: { struct: { content: TEXTS, citations: { array: "object" } } },
    searchResult: SEARCH_RESULT,
    toolAddition: "object",
    toolRemoval: "object",
  },
};

export const SYSTEM_BLOCKS: Shape = {
  array: { union: { text: "nonEmptyString", guardContent: GUARD_CONTENT, cachePoint: CACHE_POINT } },
};

export const TOOL: Shape = {
  union: {
    toolSpec: {
      struct: {
        name: {
          pattern: /^[a-zA-Z0-9_-]{1,64}$/,
          rule: "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
        },
        description: "nonEmptyString",
        inputSchema: { union: { json: "object" } },
        strict: "boolean",
      },
      required: ["name", "inputSchema"],
    },
    systemTool: { struct: { name: "nonEmptyString" }, required: ["name"] },
    cachePoint: CACHE_POINT,
  },
};

export const TOOL_CHOICE: Shape = {
  union: { auto: "object", any: "object", tool: { struct: { name: "string" }, required: ["name"] } },
};
