import { DEFAULT_REGION } from "../../endpoint/build.ts";
import { prefixModelId } from "../../endpoint/model-id.ts";
import { RequestError } from "../../errors/index.ts";
import type { ApplyGuardrailRequest, ApplyGuardrailResponse } from "../../types/converse.ts";
import { isObject } from "../../types/json.ts";
import type { ConfigInput } from "../create.ts";
import { resolved } from "../create.ts";
import {
  callJson,
  checkOptions,
  endpointBase,
  type OperationOptions,
  planOperation,
  shapeError,
} from "./plan.ts";

/** ApplyGuardrail's input: the guardrail, its version, and the content to check (AWS's wire shape). */
export type ApplyGuardrailInput = ApplyGuardrailRequest & {
  guardrailIdentifier: string;
  guardrailVersion: string;
};

/**
 * Checks content against a guardrail without calling a model (ApplyGuardrail,
 * `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`); answers as AWS does: action,
 * outputs, assessments, usage. Through a proxy (`url`), the path is `{url}guardrail/{region}.{id}/version/{v}/apply`.
 */
export async function applyGuardrail(
  config: ConfigInput,
  input: ApplyGuardrailInput,
  options: OperationOptions = {},
): Promise<ApplyGuardrailResponse> {
  checkOptions(options);
  if (!isObject(input))
    throw new RequestError("input", "expected { guardrailIdentifier, guardrailVersion, source, content }");
  const { guardrailIdentifier: id, guardrailVersion: version, ...body } = input;
  if (typeof id !== "string" || !id)
    throw new RequestError("guardrailIdentifier", "expected a guardrail id or ARN");
  if (typeof version !== "string" || !version)
    throw new RequestError("guardrailVersion", 'expected a version: "DRAFT" or a number such as "1"');
  if (body.source !== "INPUT" && body.source !== "OUTPUT")
    throw new RequestError("source", `expected "INPUT" or "OUTPUT", got ${JSON.stringify(body.source)}`);
  if (!Array.isArray(body.content) || body.content.length === 0)
    throw new RequestError(
      "content",
      "expected a non-empty array of { text: { text } } or { image: ... } blocks",
    );
  const c = resolved(config);
  const region = c.region || DEFAULT_REGION;
  const mode = c.modelIdPrefix ?? (c.url ? "region" : "none");
  const idInPath = encodeURIComponent(mode === "region" ? prefixModelId(id, "region", region) : id).replace(
    /%3A/gi,
    ":",
  );
  const url = `${endpointBase(c)}/guardrail/${idInPath}/version/${encodeURIComponent(version)}/apply`;
  const answer = await callJson(planOperation(c, url, options, body as Record<string, unknown>, false));
  const json = answer.json;
  if (!isObject<Record<string, any>>(json) || typeof json.action !== "string")
    throw shapeError("no action", answer);
  return json as ApplyGuardrailResponse;
}
