/**
 * How often anyone without a staff session may try things (decision 007, "Guessing and
 * flooding"). Each limit is a budget of tries per fixed window, kept in PostgreSQL so it holds
 * across every instance of the console (lib/server/rate-limit.ts). A "client" is the address
 * lib/server/request-context.ts resolves; an "account" is the target named in the request (an
 * email address, a staff member), counted whether or not it exists so the limits say nothing
 * about who exists.
 *
 * The numbers are defaults; RATE_LIMITS overrides any of them (`name=tries/seconds`, comma
 * separated), e.g. `RATE_LIMITS="signIn.client=200/600"` behind a busy shared NAT.
 */
import { z } from "zod";

export type RateLimit = { tries: number; windowSeconds: number };

export const RATE_LIMIT_DEFAULTS = {
  /** Every anonymous action and link page together, per client: a ceiling on floods. */
  "anonymous.client": { tries: 300, windowSeconds: 600 },
  /** Pass redemptions per client, whatever the account: enumeration and spraying. */
  "redeem.client": { tries: 20, windowSeconds: 900 },
  /** Pass redemptions per client for one account: below the pass's failure cap (10). */
  "redeem.clientAccount": { tries: 5, windowSeconds: 900 },
  /** Link pages and link answers (manager confirmation, passkey proof, enrolment, "this wasn't me"). */
  "link.client": { tries: 60, windowSeconds: 600 },
  /** Requests to the SSO endpoints per client (a help desk behind one NAT signs in together). */
  "sso.client": { tries: 300, windowSeconds: 600 },
  /** Sign-ins per client: workforce passkey sign-in, demo sign-in. */
  "signIn.client": { tries: 60, windowSeconds: 600 },
  /** Sign-ins per account (a staff member in the demo, a passkey's owner). */
  "signIn.account": { tries: 20, windowSeconds: 600 },
  /** Recovery code tries per client, whatever the account (docs/decisions/037). */
  "recoveryCode.client": { tries: 10, windowSeconds: 900 },
  /** Recovery code tries per account, from every client together (known or not). */
  "recoveryCode.account": { tries: 10, windowSeconds: 3600 },
} as const satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;
export const RATE_LIMIT_NAMES = Object.keys(RATE_LIMIT_DEFAULTS) as RateLimitName[];

const Override = z
  .string()
  .trim()
  .regex(/^[a-zA-Z.]+=\d+\/\d+$/, "Each override is name=tries/seconds, e.g. redeem.client=20/900.")
  .transform((entry) => {
    const [name = "", rest = ""] = entry.split("=");
    const [tries, seconds] = rest.split("/").map(Number);
    return { name, tries, windowSeconds: seconds };
  })
  .pipe(
    z.object({
      name: z.enum(RATE_LIMIT_NAMES as [RateLimitName, ...RateLimitName[]], {
        error: `Unknown rate limit. Known: ${RATE_LIMIT_NAMES.join(", ")}.`,
      }),
      tries: z.number().int().min(1).max(100_000),
      windowSeconds: z
        .number()
        .int()
        .min(1)
        .max(24 * 3600),
    }),
  );

/** The limits in force: the defaults with RATE_LIMITS applied. Throws on a malformed value. */
export function rateLimits(overrides: string | undefined): Record<RateLimitName, RateLimit> {
  const limits: Record<RateLimitName, RateLimit> = { ...RATE_LIMIT_DEFAULTS };
  for (const entry of (overrides ?? "").split(",").filter((s) => s.trim())) {
    const { name, tries, windowSeconds } = Override.parse(entry);
    limits[name] = { tries, windowSeconds };
  }
  return limits;
}

/** "2 minutes", "45 seconds": how long to wait, rounded up, for people. */
export function waitWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}

export function rateLimitedMessage(retryAfterSeconds: number): string {
  return `Too many tries. Wait ${waitWords(retryAfterSeconds)}, then try again.`;
}

/**
 * The back-off on one pass (the per-account ceiling that delays rather than voids). After
 * `free` wrong guesses, each further try waits `firstMinutes`, doubling per wrong guess, counted
 * from the last one. Whoever makes the guesses, reaching the pass's failure cap then takes
 * `firstMinutes × (2^(cap − free) − 1)` minutes, which the policy requires to be longer than any
 * pass lives (lib/domain/recovery-policy.ts): strangers can delay a pass, never void it.
 */
export function passTryGate(
  pass: { failedAttempts: number; lastFailedAt: Date | null },
  backoff: { freeFailedAttempts: number; backoffFirstMinutes: number },
  now: Date,
): { ok: true } | { ok: false; retryAt: Date } {
  const over = pass.failedAttempts - backoff.freeFailedAttempts;
  if (over < 0 || !pass.lastFailedAt) return { ok: true };
  const retryAt = new Date(
    pass.lastFailedAt.getTime() + backoff.backoffFirstMinutes * 2 ** over * 60_000,
  );
  return retryAt > now ? { ok: false, retryAt } : { ok: true };
}

/** Minutes until a pass's failure cap can be reached under the back-off (the policy's invariant). */
export function minutesToExhaust(tap: {
  maxFailedAttempts: number;
  freeFailedAttempts: number;
  backoffFirstMinutes: number;
}): number {
  const delayed = tap.maxFailedAttempts - tap.freeFailedAttempts;
  return delayed <= 0 ? 0 : tap.backoffFirstMinutes * (2 ** delayed - 1);
}

/**
 * The part of a client address a budget counts: an IPv4 address whole, an IPv6 address by its
 * /64 (one host usually holds a whole /64 and could otherwise rotate through 2^64 "clients").
 * IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function clientBucket(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (!address.includes(":")) return address;
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [
          ...left,
          ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"),
          ...right,
        ];
  return `${groups
    .slice(0, 4)
    .map((g) => (g || "0").replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
