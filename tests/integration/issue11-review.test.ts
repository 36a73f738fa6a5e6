/**
 * Attacker's review of issue 11's changes (voiding a recovery in one statement, full
 * verification as queued runs, the signer's per-round cap), against PostgreSQL.
 *
 * Tests whose comment says "found by review" reproduced a hole in the code as reviewed, each
 * fixed since; the others assert a path that was checked and holds.
 *
 * Threat model for the verification runs: as in decision 017's attack reviews, someone with the
 * application role's powers (the role every console process and the worker connect as) can
 * INSERT and UPDATE "AuditVerification" and INSERT "AuditCheckpoint" rows.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyConsistency } from "@/lib/domain/tlog/merkle";
import {
  ABANDONED_AFTER_MS,
  MIN_VERIFY_DUTY,
  REST_SLICE_MS,
  restAfter,
} from "@/lib/domain/verification-runs";
import type { Tx } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { logVerifier, signRound } from "@/lib/server/audit-log-signer";
import { consistencyProofAt } from "@/lib/server/audit-tiles";
import { voidRecovery, type Voided } from "@/lib/server/cases/void-recovery";
import { closeCase } from "@/lib/server/close-case";
import { runFullVerification } from "@/lib/server/full-verification";
import { issueTap } from "@/lib/server/issue-tap";
import { redeemTap } from "@/lib/server/redeem-tap";
import { hashToken, newToken } from "@/lib/server/secrets";
import { fullRunStatus, startFullVerification } from "@/lib/server/start-full-verification";
import { claimQueuedRun, queueScheduledRun, RunClosedError } from "@/lib/server/verification-runs";
import { pacer, workOnce } from "@/lib/server/verification-worker";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { readAuditPage } from "@/lib/server/audit-where";
import { markRows } from "@/lib/server/find-audit-events";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { asOwner } from "@/tests/audit-tampering";
import { decide, testLog } from "@/tests/audit-fixtures";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { passIn, verifiedStandardCase } from "@/tests/recovery";

const ORIGIN = "console.test/audit";
const checkpointKey = generateKeyPairSync("ed25519").privateKey;
/** The application role, as an attacker holding its credentials would connect. */
const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
let dir: string;

const { signer, worker } = testLog(ORIGIN, checkpointKey, () => dir);

async function reviewer() {
  const staff = await createStaff(db, { role: "SECURITY", team: null });
  return { ...staff, sessionExpires: new Date(Date.now() + 60_000) };
}

beforeAll(async () => {
  await app.connect();
  dir = await mkdtemp(path.join(tmpdir(), "issue11-review-"));
  for (let i = 0; i < 5; i++) await decide(i);
  await signRound(db, signer());
});
afterAll(async () => {
  await app.end();
});

// ---------------------------------------------------------------------------------------------
// 1. voidRecovery in one statement
// ---------------------------------------------------------------------------------------------

/** Everything one case can have outstanding, written directly, with one of each kind of ceremony. */
async function caseHoldings(userId: string, agentId: string, withUnusedPass: boolean) {
  const kase = await db.recoveryCase.create({
    data: {
      userId,
      agentId,
      team: "Service Desk North",
      reason: "LOST_DEVICE",
      channel: "PHONE",
      riskTier: "STANDARD",
      policyVersion: 1,
    },
  });
  const later = new Date(Date.now() + 3600_000);
  const pass = (used: boolean) =>
    db.temporaryAccessPass.create({
      data: {
        userId,
        caseId: kase.id,
        codeHash: hashToken(newToken()),
        maxFailures: 5,
        expiresAt: later,
        issuedById: agentId,
        usedAt: used ? new Date() : null,
      },
    });
  // One usable pass per user at a time (a unique index): only the first case holds one.
  const unused = withUnusedPass ? await pass(false) : null;
  // A one-time pass already redeemed: used, and its session may still enrol.
  const redeemed = await pass(true);
  const session = await db.workforceSession.create({
    data: {
      userId,
      tokenHash: hashToken(newToken()),
      method: "tap",
      tapId: redeemed.id,
      expiresAt: later,
    },
  });
  const link = await db.enrolmentLink.create({
    data: {
      userId,
      caseId: kase.id,
      tokenHash: hashToken(newToken()),
      revokePasskeyIds: [],
      expiresAt: later,
    },
  });
  const stepLink = await db.stepLink.create({
    data: {
      caseId: kase.id,
      kind: "PASSKEY_PROOF",
      tokenHash: hashToken(newToken()),
      sentTo: "someone@example.test",
      expiresAt: later,
    },
  });
  const approval = await db.approval.create({
    data: { caseId: kase.id, requestedById: agentId, snapshot: {}, snapshotHash: "x" },
  });
  const challenge = (data: {
    purpose: string;
    sessionId?: string;
    enrolmentLinkId?: string;
    stepLinkId?: string;
  }) =>
    db.webAuthnChallenge.create({
      data: { challenge: newToken(), userId, expiresAt: later, ...data },
    });
  const challenges = {
    session: await challenge({ purpose: "register", sessionId: session.id }),
    link: await challenge({ purpose: "register", enrolmentLinkId: link.id }),
    step: await challenge({ purpose: "proof", stepLinkId: stepLink.id }),
  };
  return { kase, unused, redeemed, session, link, stepLink, approval, challenges };
}

async function userHoldings() {
  const agent = await createStaff(db, { role: "AGENT" });
  const user = await createWorkforceUser(db, { passkeys: 1 });
  const first = await caseHoldings(user.id, agent.id, true);
  const second = await caseHoldings(user.id, agent.id, false);
  const later = new Date(Date.now() + 3600_000);
  // The user's own ceremonies (a registration of a passkey session, a proof) and a sign-in.
  const own = {
    register: await db.webAuthnChallenge.create({
      data: { challenge: newToken(), purpose: "register", userId: user.id, expiresAt: later },
    }),
    proof: await db.webAuthnChallenge.create({
      data: { challenge: newToken(), purpose: "proof", userId: user.id, expiresAt: later },
    }),
    signIn: await db.webAuthnChallenge.create({
      data: { challenge: newToken(), purpose: "authenticate", userId: user.id, expiresAt: later },
    }),
  };
  return { user, first, second, own };
}

/** voidRecovery as a stop path runs it, in a session whose time zone is far from UTC. */
async function voidInZone(scope: { caseId: string } | { userId: string }, now: Date) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL TIME ZONE 'Pacific/Chatham'`;
    return voidRecovery(tx as Tx, scope, { reason: "review", now });
  });
}

async function stateOf(held: Awaited<ReturnType<typeof caseHoldings>>) {
  const [unused, redeemed, session, link, stepLink, approval, challenges] = await Promise.all([
    held.unused ? db.temporaryAccessPass.findUnique({ where: { id: held.unused.id } }) : null,
    db.temporaryAccessPass.findUniqueOrThrow({ where: { id: held.redeemed.id } }),
    db.workforceSession.findUnique({ where: { id: held.session.id } }),
    db.enrolmentLink.findUniqueOrThrow({ where: { id: held.link.id } }),
    db.stepLink.findUniqueOrThrow({ where: { id: held.stepLink.id } }),
    db.approval.findUniqueOrThrow({ where: { id: held.approval.id } }),
    db.webAuthnChallenge.findMany({
      where: { id: { in: Object.values(held.challenges).map((c) => c.id) } },
    }),
  ]);
  return { unused, redeemed, session, link, stepLink, approval, challenges };
}

describe("voiding a recovery in one statement", () => {
  it("case scope voids exactly that case's artifacts and ceremonies, at the instant given, whatever the session's time zone", async () => {
    const { user, first, second, own } = await userHoldings();
    const now = new Date(Date.now() - 1234);
    const voided = await voidInZone({ caseId: first.kase.id }, now);
    expect(voided).toEqual<Voided>({
      passes: 1,
      passSessions: 1,
      codeSessions: 0,
      enrolmentLinks: 1,
      stepLinks: 1,
      approvals: 1,
      challenges: 3,
    });
    const after = await stateOf(first);
    // timestamp(3) without zone holding UTC: read back as the same instant, to the millisecond.
    expect(after.unused?.voidedAt?.getTime()).toBe(now.getTime());
    expect(after.unused?.voidReason).toBe("review");
    expect(after.redeemed.voidedAt).toBeNull(); // used already: only its session ends
    expect(after.session).toBeNull();
    expect(after.link.voidedAt?.getTime()).toBe(now.getTime());
    expect(after.stepLink.voidedAt?.getTime()).toBe(now.getTime());
    expect(after.approval).toMatchObject({ status: "VOIDED", reason: "voided: review" });
    expect(after.challenges.map((c) => c.usedAt?.getTime())).toEqual([
      now.getTime(),
      now.getTime(),
      now.getTime(),
    ]);
    // The user's other case, and the user's own ceremonies, are untouched.
    const other = await stateOf(second);
    expect(other.redeemed.voidedAt).toBeNull();
    expect(other.session).not.toBeNull();
    expect(other.link.voidedAt).toBeNull();
    expect(other.stepLink.voidedAt).toBeNull();
    expect(other.approval.status).toBe("PENDING");
    expect(other.challenges.every((c) => c.usedAt === null)).toBe(true);
    const ownNow = await db.webAuthnChallenge.findMany({
      where: { id: { in: Object.values(own).map((c) => c.id) } },
    });
    expect(ownNow.every((c) => c.usedAt === null)).toBe(true);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(1);
  });

  it("user scope voids every case's artifacts and the user's own register and proof ceremonies, nothing else, and counts them", async () => {
    const { user, first, second, own } = await userHoldings();
    // Someone else's recovery must not move.
    const bystander = await userHoldings();
    const now = new Date(Date.now() - 777);
    const voided = await voidInZone({ userId: user.id }, now);
    expect(voided).toEqual<Voided>({
      passes: 1,
      passSessions: 2,
      codeSessions: 0,
      enrolmentLinks: 2,
      stepLinks: 2,
      approvals: 2,
      // three per case, and the user's own registration and proof (not the sign-in)
      challenges: 8,
    });
    for (const held of [first, second]) {
      const after = await stateOf(held);
      if (held.unused) expect(after.unused?.voidedAt?.getTime()).toBe(now.getTime());
      expect(after.session).toBeNull();
      expect(after.link.voidedAt?.getTime()).toBe(now.getTime());
      expect(after.stepLink.voidedAt?.getTime()).toBe(now.getTime());
      expect(after.approval.status).toBe("VOIDED");
      expect(after.challenges.every((c) => c.usedAt?.getTime() === now.getTime())).toBe(true);
    }
    const ownNow = await db.webAuthnChallenge.findMany({
      where: { id: { in: Object.values(own).map((c) => c.id) } },
    });
    expect(Object.fromEntries(ownNow.map((c) => [c.purpose, c.usedAt?.getTime() ?? null]))).toEqual(
      { register: now.getTime(), proof: now.getTime(), authenticate: null },
    );
    for (const held of [bystander.first, bystander.second]) {
      const untouched = await stateOf(held);
      if (held.unused) expect(untouched.unused?.voidedAt).toBeNull();
      expect(untouched.session).not.toBeNull();
      expect(untouched.challenges.every((c) => c.usedAt === null)).toBe(true);
    }
    // A second stop finds nothing more: the counts in audit payloads and notices stay honest.
    expect(await voidInZone({ userId: user.id }, new Date())).toEqual<Voided>({
      passes: 0,
      passSessions: 0,
      codeSessions: 0,
      enrolmentLinks: 0,
      stepLinks: 0,
      approvals: 0,
      challenges: 0,
    });
  });

  it("a redemption racing a close: after both commit, no session of the pass is left and the pass cannot be redeemed", async () => {
    for (let round = 0; round < 4; round++) {
      const { agent, user, caseId } = await verifiedStandardCase();
      const address = user.emails[0]!.address;
      await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
      const code = await passIn(address);
      const [redeemed, closed] = await Promise.allSettled([
        redeemTap({ email: address, code }),
        closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
      ]);
      expect(closed.status).toBe("fulfilled");
      // Whichever won the user's lock, the close committed last or refused the redemption.
      expect(await db.workforceSession.count({ where: { userId: user.id, method: "tap" } })).toBe(
        0,
      );
      const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
      expect(pass.usedAt !== null || pass.voidedAt !== null).toBe(true);
      if (redeemed.status === "fulfilled") expect(pass.usedAt).not.toBeNull();
      else expect(pass.voidedAt).not.toBeNull();
      await expect(redeemTap({ email: address, code })).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Full verification as queued runs
// ---------------------------------------------------------------------------------------------

describe("full verification as queued runs", () => {
  beforeEach(async () => {
    await app.query(`DELETE FROM "AuditVerification"`);
  });

  it("the status the page polls carries counts, times and why a run did not finish only (no event, no run id)", async () => {
    const runId = await startFullVerification({ actor: await reviewer() });
    const status = await fullRunStatus();
    expect(Object.keys(status).sort()).toEqual(
      ["checked", "finishedAt", "requestedAt", "startedAt", "state", "total", "unfinished"].sort(),
    );
    expect(JSON.stringify(status)).not.toContain(runId);
  });

  /**
   * Found by review, fixed (heartbeats use the database clock; one from the future is no sign of
   * life). Was: one planted row made every full verification impossible, forever.
   *
   * A run counts as "running" while `now - heartbeatAt <= 2 min` (runState), and
   * closeAbandonedRuns closes only `heartbeatAt < now() - 2 min`. A row with a heartbeat in the
   * future is therefore running for ever: it is never closed, every reviewer's request is refused
   * (CONFLICT), the schedule never queues one, and the page shows "Verifying: 0 of …" for ever.
   * The application role can write that row (the worker and the console write the table), and so
   * can a worker host whose clock runs ahead.
   *
   * Fix: judge a run by the database's clock only: write `heartbeatAt = now()` in SQL (never the
   * worker's Date), and treat a heartbeat in the future as abandoned in both runState and
   * closeAbandonedRuns (e.g. `heartbeatAt NOT BETWEEN now() - 2 min AND now() + slack`); better,
   * tie a running run to the claiming worker's session (a session advisory lock held while it
   * runs, checked with pg_try_advisory_lock) so a row alone cannot hold the queue.
   */
  it("a planted run with a heartbeat in the future does not block requests or the schedule", async () => {
    await app.query(
      `INSERT INTO "AuditVerification" (id, kind, "requestedAt", "startedAt", "heartbeatAt")
       VALUES ($1, 'full', now() - interval '48 hours', now() - interval '48 hours', '2999-01-01')`,
      [randomUUID()],
    );
    // A worker round runs (it would close an abandoned run)...
    await workOnce(db, worker());
    // ...the schedule is due (the newest run was asked for 48 hours ago)...
    const scheduled = await queueScheduledRun(db, 24);
    expect(scheduled).not.toBeNull();
    // ...and once that one is done, a reviewer can ask for one.
    await app.query(`UPDATE "AuditVerification" SET "finishedAt" = now() WHERE id = $1`, [
      scheduled,
    ]);
    await expect(startFullVerification({ actor: await reviewer() })).resolves.toEqual(
      expect.any(String),
    );
  });

  /**
   * Found by review, fixed (rows dated in the future are ignored by the schedule and the page).
   * Was: the schedule was driven by a row anyone with the application role can write.
   *
   * queueScheduledRun counts from the newest `requestedAt`; a finished row dated in the future
   * makes `now - since` negative, so the daily verification is never queued again, silently (the
   * page still shows "finished" for that row, which also hides every later run's progress,
   * since newestFullRun orders by the same column).
   *
   * Fix: count from the newest *signed* `audit.verification_requested`/`audit.verified` event that
   * is part of the log (latestSignedEvent), or at least ignore rows with `requestedAt > now()`;
   * order the page's newest run by the database's insertion (e.g. a default-only column the
   * app role cannot set, or the signed request event) rather than a writable timestamp.
   */
  it("a run dated in the future does not silence the daily schedule", async () => {
    await app.query(
      `INSERT INTO "AuditVerification" (id, kind, "requestedAt", "startedAt", "finishedAt", ok)
       VALUES ($1, 'full', now() - interval '48 hours', now() - interval '48 hours', now() - interval '47 hours', true),
              ($2, 'full', '2999-01-01', '2999-01-01', '2999-01-01', true)`,
      [randomUUID(), randomUUID()],
    );
    expect(await queueScheduledRun(db, 24)).not.toBeNull();
  });

  /**
   * Found by review, fixed. A run's worker that rested as it was told to was judged to have
   * stopped: the heartbeat was written only before the rest after each batch, and at the lowest
   * duty (0.05) a batch of 6.4 s of work is followed by a rest of 121.6 s, over
   * ABANDONED_AFTER_MS. Another worker then closed the live run, a second run started beside it,
   * and the first, when it finished, rewrote the closed row.
   * Now: the pacer rests in slices of at most REST_SLICE_MS with a heartbeat (the database's
   * clock) between them, and a run whose row was closed under it stops at its next heartbeat
   * without touching the row or recording a result.
   */
  it("a paced run resting at the lowest duty beats between slices of its rest, never going silent long enough to be taken for stopped", async () => {
    expect(restAfter(6_400, MIN_VERIFY_DUTY)).toBeGreaterThan(ABANDONED_AFTER_MS);
    const rests: number[] = [];
    const beats: number[] = [];
    const pace = pacer(MIN_VERIFY_DUTY, async (ms) => void rests.push(ms));
    const until = performance.now() + 1_200;
    while (performance.now() < until);
    await pace(async () => void beats.push(rests.length));
    expect(rests.length).toBeGreaterThan(1);
    expect(Math.max(...rests)).toBeLessThanOrEqual(REST_SLICE_MS);
    expect(REST_SLICE_MS).toBeLessThan(ABANDONED_AFTER_MS / 2);
    // A beat between every two slices.
    expect(beats).toEqual(rests.slice(1).map((_, i) => i + 1));
  });

  it("a run whose row was closed under it stops, leaves the closed row alone and records no result", async () => {
    const runId = await startFullVerification({ actor: await reviewer() });
    expect(await claimQueuedRun(db)).toEqual({ id: runId });
    const results = await db.auditEvent.count({ where: { action: "audit.verified" } });
    let closed = false;
    await expect(
      runFullVerification(db, {
        eventKeys: trustedEventKeys(),
        log: logVerifier(signer()),
        dir,
        runId,
        pace: async (beat) => {
          if (!closed) {
            // As another worker would, judging it abandoned.
            await app.query(
              `UPDATE "AuditVerification" SET "finishedAt" = now(), problems = '[{"problem":"abandoned"}]' WHERE id = $1`,
              [runId],
            );
            closed = true;
          }
          await beat();
        },
      }),
    ).rejects.toBeInstanceOf(RunClosedError);
    const row = await db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
    expect(row.ok).toBeNull();
    expect(JSON.stringify(row.problems)).toContain("abandoned");
    expect(await db.auditEvent.count({ where: { action: "audit.verified" } })).toBe(results);
    // And a worker meeting such a run treats it as someone else's, not as a failure.
    await startFullVerification({ actor: await reviewer() });
  });

  /**
   * Found by review, fixed (an unreadable checkpoint is a problem found; a run that cannot finish
   * records a failing result). Was: a planted checkpoint row turned every full verification into "could not
   * run", which records nothing: no signed result and no audit event, while the page keeps
   * showing the last clean result.
   *
   * The application role can INSERT "AuditCheckpoint" (only UPDATE and DELETE are revoked). A row
   * with the largest size and a note that does not parse makes compareWithNewestCheckpoint throw
   * (openNote → NoteError) instead of returning "the newest checkpoint … is not signed by the
   * log's key". workOnce then closes the run with the error in `problems` (a row the page does not
   * show: runState says "finished"), and no `audit.verified` is recorded. The audit page's "Last
   * full verification" still reads the previous attested "intact" event: a tampered log looks
   * verified, and nothing in the log says a verification was asked for and never concluded.
   *
   * Fix: treat an unparseable candidate as a problem found (return it, like an unsigned one), and
   * in workOnce's catch record a signed, attested `audit.verified` REFUSED (or an
   * `audit.verification_failed`) event naming the error, so the page shows "PROBLEMS"; give
   * FullRunStatus the run's outcome so the panel says the last run did not conclude.
   */
  it("a planted unparseable checkpoint is a finding: the verification records a failing result", async () => {
    // A clean, signed result first: what the page shows as the last full verification.
    await startFullVerification({ actor: await reviewer() });
    const clean = await workOnce(db, worker());
    expect(clean?.report.ok).toBe(true);
    const before = await db.auditEvent.count({ where: { action: "audit.verified" } });
    // The planted row, as the application role.
    await app.query(
      `INSERT INTO "AuditCheckpoint" (size, "rootHash", note) VALUES (1000000000, '\\x00', 'not a note')`,
    );
    const runId = await startFullVerification({ actor: await reviewer() });
    await workOnce(db, worker()).catch(() => null);
    const run = await db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
    // The planted row goes (as the owner), so the tests after this one sign as before.
    const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
    await owner.connect();
    try {
      await asOwner(owner, [[`DELETE FROM "AuditCheckpoint" WHERE size = 1000000000`]]);
    } finally {
      await owner.end();
    }
    expect(run.finishedAt).not.toBeNull();
    // Expected: the run's outcome is a result in the log, a failing one.
    const results = await db.auditEvent.findMany({
      where: { action: "audit.verified" },
      orderBy: { position: "asc" },
    });
    expect(results).toHaveLength(before + 1);
    expect(results.at(-1)).toMatchObject({ outcome: "REFUSED" });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The signer's cap (last: it alters a row, so no full verification after it is clean)
// ---------------------------------------------------------------------------------------------

async function signAll() {
  for (;;) {
    const round = await signRound(db, signer(), { force: true });
    if (round.kind !== "signed" || round.behind === 0) return round;
  }
}

describe("the signer's per-round cap", () => {
  it("a row altered beyond one round's cap is named by the round that reaches it, and the tree grows consistently", async () => {
    await signAll();
    for (let i = 0; i < 7; i++) await decide(500 + i);
    const [head] = await db.$queryRaw<{ size: bigint }[]>`
      SELECT max("position") + 1 AS size FROM "AuditEvent"`;
    const altered = Number(head!.size) - 1;
    // As the owner: the newest event's column no longer matches its signed entry.
    const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
    await owner.connect();
    try {
      await asOwner(owner, [
        [`UPDATE "AuditEvent" SET "actorName" = 'someone else' WHERE position = $1`, [altered]],
      ]);
    } finally {
      await owner.end();
    }
    const flagged: string[] = [];
    const sizes: number[] = [];
    for (;;) {
      const round = await signRound(db, signer(), { force: true, maxEvents: 3 });
      if (round.kind !== "signed") break;
      expect(round.size - round.previousSize).toBeLessThanOrEqual(3);
      sizes.push(round.size);
      flagged.push(...round.flagged.map((row) => row.position));
      if (round.behind === 0) break;
    }
    // The first capped round stopped short of it; a later one named it, once.
    expect(sizes[0]).toBeLessThanOrEqual(altered);
    expect(flagged).toEqual([String(altered)]);
    const alert = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.integrity_alert" },
      orderBy: { position: "desc" },
    });
    expect(JSON.stringify(alert.data)).toContain(`position ${altered}`);
    for (const [m, n] of sizes.slice(0, -1).map((size, i) => [size, sizes[i + 1]!] as const)) {
      const [older, newer] = await Promise.all(
        [m, n].map((size) =>
          db.auditCheckpoint.findUniqueOrThrow({ where: { size: BigInt(size) } }),
        ),
      );
      expect(
        verifyConsistency(
          m,
          n,
          await consistencyProofAt(db, m, n),
          Buffer.from(older!.rootHash),
          Buffer.from(newer!.rootHash),
        ),
      ).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Times no Date can hold (last: it plants rows, so nothing after it verifies clean)
// ---------------------------------------------------------------------------------------------

describe("a row whose time is PostgreSQL's 'infinity'", () => {
  /**
   * Found in review of the bulk walk, fixed: PostgreSQL stores 'infinity' in a timestamp column,
   * which no JavaScript Date can hold. A v1 row planted by the application role with that time,
   * or a v2 row whose appTime the owner set to it, made the verifier throw (toISOString on an
   * invalid Date) instead of naming the row.
   */
  it("is named by the full walk, which does not stop", async () => {
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", data)
       VALUES (1, 'infinity', 'access.denied', 'REFUSED', 'SYSTEM', 'planted', '{}') RETURNING id::text`,
    );
    const planted = rows[0]!.id;
    const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
    await owner.connect();
    let altered: string;
    try {
      const { rows: newest } = await owner.query<{ id: string }>(
        `SELECT id::text FROM "AuditEvent" WHERE "formatVersion" = 2 ORDER BY position DESC LIMIT 1`,
      );
      altered = newest[0]!.id;
      await asOwner(owner, [
        [`UPDATE "AuditEvent" SET "appTime" = 'infinity' WHERE id = $1`, [altered]],
      ]);
    } finally {
      await owner.end();
    }
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(report.ok).toBe(false);
    const named = report.problems.map((problem) => problem.id);
    expect(named).toContain(planted);
    expect(named).toContain(altered);
    // And the reviewer's page still reads the newest events, marking the planted one.
    const page = await readAuditPage(db, { ...AuditSearchSchema.parse({}), actorNames: null }, 51);
    const marks = await markRows(page);
    expect(marks[page.findIndex((row) => String(row.id) === planted)]).not.toBeNull();
  });
});
