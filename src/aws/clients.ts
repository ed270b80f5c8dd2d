/**
 * The AWS clients an action may use, scoped to one account and region (and, cross-account, one assumed-role
 * session named after the incident). Any SDK v3 client class is looked up with `aws(EC2Client)`: created on first
 * use with the factory's endpoint, credentials, user agent, retries, call recorder (and rate limiter), then cached.
 */

/** The part of an SDK v3 client the factory relies on (its middleware stack, its resolved service names). */
export interface SdkClient {
  readonly config: object;
  readonly middlewareStack: { add(...args: never[]): unknown };
  send(...args: never[]): Promise<unknown>;
  destroy(): void;
}

/** Any SDK v3 client class (`EC2Client`, `IAMClient`, …): a constructor taking the client configuration. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AwsClientClass<C extends SdkClient = SdkClient> = new (config: any) => C;

/** Looks up the client of a class for one account/Region: created on first use, then the same instance. */
export type AwsClientLookup = <C extends SdkClient>(ClientClass: AwsClientClass<C>) => C;

export interface AwsClients {
  readonly accountId: string;
  readonly region: string;
  /** `clients.aws(EC2Client)`: the EC2 client for this account and Region (any SDK v3 client class). */
  readonly aws: AwsClientLookup;
  /**
   * The same account's clients in another Region (same credentials, recorder, retries and rate limiter), for the
   * few steps that read beyond the finding's Region (CloudTrail event history is per Region). Absent when the
   * builder cannot give them (a step then says which Regions it could not read).
   */
  readonly inRegion?: (region: string) => AwsClientLookup;
  /**
   * Listeners that receive a CallRecord for every call made through these clients (present when built by the
   * client factory; push to add, splice to remove).
   */
  readonly callListeners?: CallListener[];
}

/** One AWS call as recorded for the evidence and the journal (request id, outcome). */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requestId?: string;
  readonly httpStatusCode?: number;
  /** Error name when the call failed. */
  readonly error?: string;
  readonly errorMessage?: string;
  /** The command input (JSON). */
  readonly input: unknown;
}

export type CallListener = (call: CallRecord) => void;
