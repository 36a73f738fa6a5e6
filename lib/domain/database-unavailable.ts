/**
 * Whether an error means the database could not be reached or went away mid-request (a crash, a
 * failover in progress: docs/decisions/043-database-failover.md), rather than a bug. Such an
 * action either committed as a whole or not at all, and when the connection died during COMMIT
 * nobody can say which. So the answer (DATABASE_UNAVAILABLE, instead of an error page) asks the
 * agent to reload and look before doing it again: most steps re-read under their locks and refuse
 * a repeat, but some are deliberately repeatable (issuing a pass again replaces the first).
 */
export const DATABASE_UNAVAILABLE =
  "The console lost its connection to the database (it may be switching to its standby), so it cannot tell whether your step went through. Reload the page in a moment: a step that went through is shown there. Do it again only if it is not.";

/** node-postgres / Node socket codes, PostgreSQL SQLSTATEs and Prisma codes that mean "unreachable". */
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOPRIMARY",
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting, or in recovery)
  "57P01",
  "57P02",
  "57P03",
  // connection exceptions
  "08000",
  "08003",
  "08006",
  // read_only_sql_transaction: the connection reached a standby
  "25006",
  // Prisma: can't reach the server; server closed the connection
  "P1001",
  "P1017",
]);
/** Prisma's driver-adapter error kinds for the same. */
const KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
/**
 * node-postgres's own messages for a lost connection (it gives them no code). Anchored at the
 * start, so an error that merely quotes such words (a reason someone typed, a receiver's reply)
 * is not taken for an outage and swallowed as "try again".
 */
const MESSAGES =
  /^(Connection terminated|no primary among|Client has encountered a connection error|terminating connection due to administrator command|the database system is (shutting down|starting up|in recovery mode))/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as { code?: unknown; kind?: unknown; cause?: unknown; message?: unknown };
  if (typeof e.code === "string" && CODES.has(e.code)) return true;
  if (typeof e.kind === "string" && KINDS.has(e.kind)) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  if (isDatabaseUnavailable(e.cause, depth + 1)) return true;
  const meta = (error as { meta?: unknown }).meta;
  return (
    !!meta &&
    typeof meta === "object" &&
    Object.values(meta).some((value) => isDatabaseUnavailable(value, depth + 1))
  );
}
