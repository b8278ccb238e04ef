// aws4fetch: SigV4-signed fetch only (the caller parses the event stream itself).
import { AwsClient } from "aws4fetch";

export const client = new AwsClient({
  accessKeyId: "id",
  secretAccessKey: "secret",
  service: "bedrock",
  region: "us-east-1",
});
