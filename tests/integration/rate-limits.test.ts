/**
 * The rate limits with their default budgets, against PostgreSQL (decision 007, "Guessing and
 * flooding"). Other test files lift the budgets out of the way (tests/setup-db.ts); this one
 * runs the numbers the README documents.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.RATE_LIMITS = "";
});

const { RATE_LIMIT_DEFAULTS } = await import("@/lib/domain/rate-limits");
const { DomainError } = await import("@/lib/domain/errors");
const { normalizeTapCode } = await import("@/lib/domain/tap-code");
const { issueTap } = await import("@/lib/server/issue-tap");
const { redeemTap } = await import("@/lib/server/redeem-tap");
const { spend, limitKey } = await import("@/lib/server/rate-limit");
const { answerManagerConfirmation } = await import("@/lib/server/answer-manager-confirmation");
const { findRefusalTallies } = await import("@/lib/server/refusal-tally");
const { db } = await import("@/tests/db");
const { lastMessageTo, verifiedStandardCase } = await import("@/tests/recovery");

const WRONG = "0000000000000000";
const from = (ip: string) => ({ requestId: `req-${ip}`, ip });

async function issued() {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  const text = (await lastMessageTo(address)).text;
  const code = normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
  return { user, caseId, address, code };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  const result = await promise.then(
    () => "OK",
    (e: unknown) => (e instanceof DomainError ? e.code : `ERROR ${String(e)}`),
  );
  return result;
}

/** As if a budget's window had passed: its counters expire now. */
async function windowPasses() {
  await db.$executeRaw`UPDATE "RateLimit" SET expire = ${Date.now() - 1}`;
}

async function restPass(passId: string) {
  await db.$executeRaw`UPDATE "TemporaryAccessPass" SET "lastFailedAt" = "lastFailedAt" - interval '1 day' WHERE id = ${passId}::uuid`;
}

describe("budgets in PostgreSQL", () => {
  it("a burst of simultaneous tries never gets more than the budget", async () => {
    const key = limitKey("burst", String(Math.random()));
    const results = await Promise.all(
      Array.from({ length: 40 }, () => spend([{ limit: "redeem.clientAccount", key }])),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(
      RATE_LIMIT_DEFAULTS["redeem.clientAccount"].tries,
    );
    const refused = results.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(
      RATE_LIMIT_DEFAULTS["redeem.clientAccount"].windowSeconds,
    );
  });

  it("stores no address or email in the clear", async () => {
    await redeemTap({
      email: "someone@example.com",
      code: WRONG,
      request: from("203.0.113.9"),
    }).catch(() => {});
    const keys = (await db.rateLimit.findMany({ select: { key: true } })).map((r) => r.key);
    expect(keys.join(" ")).not.toMatch(/someone|example|203\.0\.113/);
  });
});

describe("/redeem", () => {
  it("a stranger guessing from one client is stopped after its budget, cannot void the pass, and the user still redeems", async () => {
    const { user, address, code } = await issued();
    const stranger = from("198.51.100.7");
    const results: string[] = [];
    for (let i = 0; i < 8; i++)
      results.push(await outcome(redeemTap({ email: address, code: WRONG, request: stranger })));
    // Three wrong guesses evaluated, then the pass rests (answered as a wrong pass, nothing
    // counted on it); after 5 tries the client's budget for the account is spent.
    expect(results).toEqual([
      "INVALID_INPUT",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "RATE_LIMITED",
      "RATE_LIMITED",
      "RATE_LIMITED",
    ]);
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } });
    expect(pass).toMatchObject({ failedAttempts: 3, voidedAt: null });
    // The user, from their own client, once the pass's short rest is over:
    await restPass(pass.id);
    await expect(
      redeemTap({ email: address, code, request: from("192.0.2.10") }),
    ).resolves.toMatchObject({ userId: user.id });
  });

  it("many strangers together: the pass's rest holds across clients, answers as a wrong pass, delays the user without voiding the pass, and the user is told", async () => {
    const { user, address, code } = await issued();
    const results: string[] = [];
    for (let i = 0; i < 14; i++)
      results.push(
        await outcome(redeemTap({ email: address, code: WRONG, request: from(`10.9.0.${i}`) })),
      );
    expect(results.every((r) => r === "INVALID_INPUT")).toBe(true);
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } });
    expect(pass).toMatchObject({ failedAttempts: 3, voidedAt: null });
    expect(
      await db.outboxMessage.count({ where: { toAddress: address, kind: "tap.guessed" } }),
    ).toBe(1);

    // The user, from a client of their own, is delayed by the rest too (told by mail)...
    const user1 = from("192.0.2.11");
    expect(await outcome(redeemTap({ email: address, code, request: user1 }))).toBe(
      "INVALID_INPUT",
    );
    // ...and once it is over, redeems.
    await restPass(pass.id);
    expect(await outcome(redeemTap({ email: address, code, request: user1 }))).toBe("OK");
  });

  it("answers an unknown email exactly as a known one, try by try", async () => {
    const { address } = await issued();
    const known: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(
        await outcome(redeemTap({ email: address, code: "BAD", request: from("10.1.1.1") })),
      );
      unknown.push(
        await outcome(
          redeemTap({ email: "nobody@northwind.example", code: "BAD", request: from("10.1.1.2") }),
        ),
      );
    }
    expect(unknown).toEqual(known);
    expect(known.slice(-2)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
  });

  it("a flood of unknown emails writes no audit rows, only a count per window", async () => {
    await windowPasses();
    const events = await db.auditEvent.count();
    const tallies = await db.refusalTally.count();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        redeemTap({
          email: `nobody-${i}@northwind.example`,
          code: WRONG,
          request: from(`172.16.${Math.floor(i / 10)}.${i}`),
        }).catch(() => {}),
      ),
    );
    expect(await db.auditEvent.count()).toBe(events);
    // At most one new row per window and kind (two windows if the run straddles a boundary).
    expect((await db.refusalTally.count()) - tallies).toBeLessThanOrEqual(2);
    // Reviewers see the sum on the reports page.
    const counted = await findRefusalTallies(7);
    expect(counted.find((row) => row.reason === "UNKNOWN_ACCOUNT")).toMatchObject({
      action: "tap.redeem_refused",
    });
    expect(counted.find((row) => row.reason === "UNKNOWN_ACCOUNT")!.count).toBeGreaterThanOrEqual(
      60,
    );
  });
});

describe("links", () => {
  it("a client guessing link tokens is refused after its budget, counted, with no audit rows", async () => {
    const events = await db.auditEvent.count();
    const client = from("203.0.113.50");
    const results: string[] = [];
    for (let i = 0; i < RATE_LIMIT_DEFAULTS["link.client"].tries + 3; i++)
      results.push(
        await outcome(
          answerManagerConfirmation({
            token: `guess${i}`.padEnd(43, "x"),
            answer: "confirm",
            request: client,
          }),
        ),
      );
    expect(results.filter((r) => r === "SEQUENCE")).toHaveLength(
      RATE_LIMIT_DEFAULTS["link.client"].tries,
    );
    expect(results.slice(-3)).toEqual(["RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"]);
    expect(await db.auditEvent.count()).toBe(events);
  });
});
