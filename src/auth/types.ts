/** AWS credentials as SigV4 needs them. `expiration` lets providers say when to refresh. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** An async source of credentials (STS, a secrets binding, ...). */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/**
 * The auth seam: takes the unsigned request the client built and returns the request to send.
 * Bearer auth adds a header; SigV4 signs the whole request.
 */
export type Authorizer = (request: Request) => Promise<Request>;

/**
 * A SigV4 authorizer that can correct its clock. After a 403 that says the signature expired / is not yet
 * current, `correctClock(response)` moves the signing clock to the server's and returns true: re-sign and
 * retry once.
 */
export interface SigV4Authorizer extends Authorizer {
  /** Reads the server time from a failed response; true when the offset changed and a retry can succeed. */
  correctClock(response: Response, body?: string): boolean;
  /** Milliseconds added to the local clock when signing. */
  setClockOffset(ms: number): void;
  getClockOffset(): number;
}
