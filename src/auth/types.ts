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
