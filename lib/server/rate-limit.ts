import "server-only";
/**
 * Rate limits kept in PostgreSQL (the "RateLimit" table), so every instance of the console
 * shares them: rate-limiter-flexible's RateLimiterPostgres, whose upsert is atomic (a burst of
 * simultaneous tries never gets more than the budget). The limits themselves are in
 * lib/domain/rate-limits.ts. Keys are hashed: the table holds no address or email in the clear.
 *
 * A refused try is counted (lib/server/refusal-tally.ts), never audited one row each.
 */
import { createHmac } from "node:crypto";
import type pg from "pg";
import { pgPool } from "@/lib/pg-connect";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/domain/errors";
import {
  clientBucket,
  rateLimitedMessage,
  rateLimits,
  type RateLimitName,
} from "@/lib/domain/rate-limits";
import { metrics } from "./metrics";
import { countRefusal } from "./refusal-tally";
import { getRequestContext, type RequestContext } from "./request-context";

type Limiters = { url: string; pool: pg.Pool; byName: Map<RateLimitName, RateLimiterPostgres> };

// NOTE: on globalThis in production too: `next start` evaluates a bundled module once for pages
// and actions and once for route handlers, and one pool per process is enough.
const globalForLimits = globalThis as unknown as { consoleRateLimits?: Limiters };

function limiters(): Limiters {
  const existing = globalForLimits.consoleRateLimits;
  if (existing && existing.url === env.DATABASE_URL) return existing;
  const pool = pgPool({ connectionString: env.DATABASE_URL, max: 4 });
  const created: Limiters = { url: env.DATABASE_URL, pool, byName: new Map() };
  globalForLimits.consoleRateLimits = created;
  return created;
}

function limiter(name: RateLimitName): RateLimiterPostgres {
  const state = limiters();
  let found = state.byName.get(name);
  if (!found) {
    const limit = rateLimits(env.RATE_LIMITS)[name];
    found = new RateLimiterPostgres({
      storeClient: state.pool,
      storeType: "pool",
      tableName: "RateLimit",
      tableCreated: true,
      clearExpiredByTimeout: true,
      keyPrefix: name,
      points: limit.tries,
      duration: limit.windowSeconds,
    });
    state.byName.set(name, found);
  }
  return found;
}

/**
 * An opaque key: the same input gives the same key, and the table reveals neither (an HMAC under
 * the console's secret, so a reader of the table cannot test guesses of addresses or emails).
 */
export function limitKey(...parts: (string | null | undefined)[]): string {
  return createHmac("sha256", env.NEXTAUTH_SECRET)
    .update(parts.map((p) => p ?? "-").join("\u0000"))
    .digest("base64url")
    .slice(0, 32);
}

/**
 * The client's key: its address (an IPv6 address by its /64), or one shared key for requests
 * with none (never unlimited).
 */
export function clientKey(request: RequestContext | undefined): string {
  return limitKey("client", request?.ip ? clientBucket(request.ip) : "unknown");
}

export type Spent = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Spends one try from each budget, all of them even when one is already empty (so a refused
 * try still counts against the others). Refused: the longest wait among the empty budgets.
 */
export async function spend(tries: { limit: RateLimitName; key: string }[]): Promise<Spent> {
  let wait = 0;
  for (const { limit, key } of tries) {
    try {
      await limiter(limit).consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      metrics().rateLimitHits.inc({ limit });
      wait = Math.max(wait, Math.ceil(rejection.msBeforeNext / 1000));
    }
  }
  return wait > 0 ? { ok: false, retryAfterSeconds: wait } : { ok: true };
}

/**
 * As `spend`, for a server action or page: refused is a DomainError that says how long to wait,
 * and the refusal is counted under `action`.
 */
export async function spendOrRefuse(
  action: string,
  tries: { limit: RateLimitName; key: string }[],
): Promise<void> {
  const spent = await spend(tries);
  if (spent.ok) return;
  await countRefusal(action, "RATE_LIMITED");
  throw new RateLimited(spent.retryAfterSeconds);
}

export class RateLimited extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("RATE_LIMITED", rateLimitedMessage(retryAfterSeconds));
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** For route handlers: 429 with Retry-After. */
export function tooManyRequests(retryAfterSeconds: number): Response {
  return new Response(rateLimitedMessage(retryAfterSeconds), {
    status: 429,
    headers: {
      "Retry-After": String(retryAfterSeconds),
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
    },
  });
}

/** One try of the client's link budget (link pages and link answers); refused: RateLimited. */
export async function spendLinkTry(action: string, request: RequestContext | undefined) {
  await spendOrRefuse(action, [{ limit: "link.client", key: clientKey(request) }]);
}

/**
 * For a link page (a manager's confirmation, a passkey proof, an enrolment link, "this wasn't
 * me", the pass page): spends one try of the client's link and anonymous budgets before the page
 * looks anything up. Returns the seconds to wait when over budget (counted), else null.
 */
export async function linkPageWait(page: string): Promise<number | null> {
  const key = clientKey(await getRequestContext());
  const spent = await spend([
    { limit: "link.client", key },
    { limit: "anonymous.client", key },
  ]);
  if (spent.ok) return null;
  await countRefusal(`page.${page}`, "RATE_LIMITED");
  return spent.retryAfterSeconds;
}
