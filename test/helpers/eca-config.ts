// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:VAR} placeholders are the config syntax under test
// The ECA-style document from the README: a whole `providers` file with ${env:...} placeholders.
export const DOCUMENT = {
  providers: {
    bedrock: {
      api: "bedrock",
      key: "${env:BEDROCK_API_KEY}",
      url: "https://api.company.com/ai-gateway/1.0/model/",
      region: "${env:AWS_REGION:us-east-1}",
      models: {
        "claude-3-sonnet": {
          modelName: "anthropic.claude-3-sonnet-20240229-v1:0",
          extraPayload: { temperature: 0.7, top_k: 200, stream: false },
        },
      },
    },
  },
};
