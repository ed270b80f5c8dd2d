/**
 * Socket timeouts for every AWS SDK client Tourniquet makes. The SDK's defaults wait for ever: an endpoint that
 * accepts the connection and never answers (a wrong `AWS_ENDPOINT_URL`, a proxy that swallows requests) hung
 * `respond` for good, and a host that drops the connection attempt waited for the kernel's ~2 minutes per try.
 *
 * - `connectionTimeout`: time to connect, counted from the request (a wait for a free socket in the SDK's pool
 *   included), so it is generous: a burst of findings queues calls behind the pool.
 * - `socketTimeout`: time the connection may stay silent once connected. Idle time, not total time, so a large
 *   evidence upload or download that keeps moving is never cut; S3 keeps a long CopyObject alive with whitespace.
 *
 * A timeout is a `TimeoutError`: transient, retried by the SDK (3 attempts) and by the engine like any network
 * failure, so a call to an endpoint that never answers fails its step in about 3 × 20 s, with the call named.
 * (`requestTimeout` is not used: in this SDK it only logs a warning unless `throwOnRequestTimeout` is set.)
 */
export const AWS_HTTP_TIMEOUTS = { connectionTimeout: 10_000, socketTimeout: 20_000 } as const;
