/**
 * The request ID every log line and audit row of one request carries
 * (docs/decisions/041-health-metrics-and-logs.md). The server's edge assigns it: a proxy in front
 * may send its own in X-Request-Id (so its access log and ours match), kept only when it is a
 * short token of safe characters; anything else (too long, spaces, control characters that could
 * forge a log line) is replaced by a fresh UUID.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function isSafeRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && SAFE_REQUEST_ID.test(value);
}

/** The incoming ID when it is safe, else one from `fresh` (crypto.randomUUID). */
export function requestIdFrom(incoming: string | null | undefined, fresh: () => string): string {
  return isSafeRequestId(incoming) ? incoming : fresh();
}
