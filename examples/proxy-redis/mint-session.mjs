// What your backend does once it knows who the visitor is: mint a short-lived session token for them. The page
// sends it as its key (createBedrock({ url: "https://proxy.example.com/model/", key: token })).
//
//   BEDROCK_EDGE_PROXY_SESSION_SECRET=... node mint-session.mjs user-42 [seconds]
import { createSessionToken } from "bedrock-edge/proxy";

const [subject = "user-42", seconds = "600"] = process.argv.slice(2);
const token = await createSessionToken({
  secret: process.env.BEDROCK_EDGE_PROXY_SESSION_SECRET,
  subject,
  expiresInSeconds: Number(seconds),
  // Optional: stricter limits for this caller (never looser than the proxy's).
  limits: { tokensPerDay: 20_000 },
});
console.log(token);
