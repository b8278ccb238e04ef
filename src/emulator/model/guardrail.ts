import type { ConverseRequest, GuardrailConfiguration, GuardrailTraceAssessment } from "../../types/index.ts";

// Guardrails: when guardrailConfig is present and the user's text holds a blocked word, the answer is the
// guardrail's blocked message with stopReason guardrail_intervened; `trace: "enabled"` adds an assessment
// shaped like the recorded one.

export interface GuardrailVerdict {
  blockedWord?: string;
  inputChars: number;
}

export function assessInput(request: ConverseRequest, blockedWords: readonly string[]): GuardrailVerdict {
  const texts: string[] = [];
  for (const message of request.messages ?? []) {
    if (message.role !== "user") continue;
    for (const block of message.content) {
      if (block.text !== undefined) texts.push(block.text);
      if (block.guardContent?.text) texts.push(block.guardContent.text.text);
    }
  }
  const joined = texts.join("\n");
  const lower = joined.toLowerCase();
  const blockedWord = blockedWords.find((word) => word !== "" && lower.includes(word.toLowerCase()));
  return { blockedWord, inputChars: joined.length };
}

export function guardrailTrace(
  config: GuardrailConfiguration,
  verdict: GuardrailVerdict,
  outputChars: number,
): GuardrailTraceAssessment {
  const id = config.guardrailIdentifier ?? "guardrail";
  const details = {
    guardrailId: id,
    guardrailVersion: config.guardrailVersion ?? "DRAFT",
    guardrailArn: id.startsWith("arn:") ? id : `arn:aws:bedrock:us-east-1:000000000000:guardrail/${id}`,
    guardrailOrigin: ["REQUEST" as const],
    guardrailOwnership: "SELF" as const,
  };
  const metrics = (chars: number) => ({
    guardrailProcessingLatency: 1,
    guardrailCoverage: { textCharacters: { guarded: chars, total: chars } },
    usage: {
      topicPolicyUnits: 0,
      contentPolicyUnits: 0,
      wordPolicyUnits: Math.ceil(chars / 1000) || 1,
      sensitiveInformationPolicyUnits: 0,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    },
  });
  const blocked = verdict.blockedWord !== undefined;
  return {
    actionReason: blocked ? "Guardrail blocked." : "No action.",
    modelOutput: [],
    inputAssessment: {
      [id]: {
        appliedGuardrailDetails: details,
        invocationMetrics: metrics(verdict.inputChars),
        ...(blocked
          ? {
              wordPolicy: {
                customWords: [
                  { match: verdict.blockedWord as string, action: "BLOCKED" as const, detected: true },
                ],
                managedWordLists: [],
              },
            }
          : {}),
      },
    },
    ...(blocked
      ? {}
      : {
          outputAssessments: {
            [id]: [{ appliedGuardrailDetails: details, invocationMetrics: metrics(outputChars) }],
          },
        }),
  };
}
