import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";

// ApplyGuardrail: content holding one of the emulator's blocked words (default BLOCKME) is GUARDRAIL_INTERVENED
// with the blocked message as output and a word-policy assessment; anything else passes with action NONE.

/** `/guardrail/{id}/version/{version}/apply`, also under the `/model/` prefix a client's `url` carries. */
const ROUTE = /^(?:\/model)?\/guardrail\/([^/]+)\/version\/([^/]+)\/apply$/;

export function matchGuardrail(path: string): { id: string; version: string } | undefined {
  const m = ROUTE.exec(path);
  if (!m) return undefined;
  try {
    return { id: decodeURIComponent(m[1]), version: decodeURIComponent(m[2]) };
  } catch {
    throw validationError("The guardrail identifier is not valid percent-encoding.");
  }
}

export function applyGuardrailAnswer(
  text: string,
  guardrail: { id: string; version: string },
  blockedWords: readonly string[],
  blockedMessage: string,
): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw validationError("The request body is not valid JSON.");
  }
  if (!isObject(body)) throw validationError("The request body must be a JSON object.");
  if (body.source !== "INPUT" && body.source !== "OUTPUT")
    throw validationError("source: expected INPUT or OUTPUT");
  if (!Array.isArray(body.content) || body.content.length === 0)
    throw validationError("content: expected a non-empty list of content blocks");
  if (!/^(DRAFT|[1-9]\d{0,7})$/.test(guardrail.version))
    throw validationError("guardrailVersion: expected DRAFT or a version number");
  const texts = body.content.map((block, i) => {
    const t = isObject(block) && isObject(block.text) ? block.text.text : undefined;
    if (typeof t !== "string" && !(isObject(block) && isObject(block.image)))
      throw validationError(`content[${i}]: expected { text: { text } } or { image: {...} }`);
    return typeof t === "string" ? t : "";
  });
  const joined = texts.join("\n");
  const lower = joined.toLowerCase();
  const word = blockedWords.find((w) => w !== "" && lower.includes(w.toLowerCase()));
  const chars = joined.length;
  const usage = {
    topicPolicyUnits: 0,
    contentPolicyUnits: 0,
    wordPolicyUnits: Math.ceil(chars / 1000) || 1,
    sensitiveInformationPolicyUnits: 0,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
  };
  const invocationMetrics = {
    guardrailProcessingLatency: 1,
    usage,
    guardrailCoverage: { textCharacters: { guarded: chars, total: chars } },
  };
  const blocked = word !== undefined;
  return {
    action: blocked ? "GUARDRAIL_INTERVENED" : "NONE",
    actionReason: blocked ? "Guardrail blocked." : "No action.",
    outputs: blocked ? [{ text: blockedMessage }] : [],
    assessments: [
      {
        ...(blocked && {
          wordPolicy: {
            customWords: [{ match: word, action: "BLOCKED", detected: true }],
            managedWordLists: [],
          },
        }),
        invocationMetrics,
        ...(body.outputScope === "FULL" && {
          appliedGuardrailDetails: { guardrailId: guardrail.id, guardrailVersion: guardrail.version },
        }),
      },
    ],
    usage,
    guardrailCoverage: { textCharacters: { guarded: chars, total: chars } },
  };
}
