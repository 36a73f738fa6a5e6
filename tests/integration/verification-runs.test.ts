/**
 * Full verifications off the request path (docs/decisions/020) against PostgreSQL: the page
 * queues a run (audited, one at a time, under concurrent clicks too), the verification worker
 * claims it once however many workers run, verifies paced and records the result; a run whose
 * worker stopped is closed and no longer blocks; the schedule queues one when due.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { staffActor } from "@/lib/server/audit";
import { signRound } from "@/lib/server/audit-log-signer";
import { startFullVerification, fullRunStatus } from "@/lib/server/start-full-verification";
import {
  claimQueuedRun,
  closeAbandonedRuns,
  queueScheduledRun,
  requestFullVerification,
} from "@/lib/server/verification-runs";
import { pacer, workOnce } from "@/lib/server/verification-worker";
import { decide, testLog } from "@/tests/audit-fixtures";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";

const ORIGIN = "console.test/audit";
const checkpointKey = generateKeyPairSync("ed25519").privateKey;
const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
let dir: string;

const { signer, worker } = testLog(ORIGIN, checkpointKey, () => dir);

const requestEvents = (outcome: "ALLOWED" | "REFUSED") =>
  db.auditEvent.findMany({
    where: { action: "audit.verification_requested", outcome },
    orderBy: { id: "asc" },
  });

beforeAll(async () => {
  await app.connect();
  dir = await mkdtemp(path.join(tmpdir(), "verification-runs-"));
  for (let i = 0; i < 5; i++) await decide(i);
  await signRound(db, signer());
});
afterAll(async () => {
  await app.end();
});
beforeEach(async () => {
  // Each test starts with no run open (runs are not audit rows: the table may be cleared).
  await app.query(`DELETE FROM "AuditVerification"`);
});

describe("asking for a full verification", () => {
  it("queues one run, audited with the reviewer as the actor, without running it", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const before = (await requestEvents("ALLOWED")).length;
    const runId = await startFullVerification({
      actor: { ...reviewer, sessionExpires: new Date() },
    });
    const run = await db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({
      kind: "full",
      requestedBy: reviewer.id,
      startedAt: null,
      ok: null,
    });
    const events = await requestEvents("ALLOWED");
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({
      actorId: reviewer.id,
      targetId: runId,
      data: { runId, via: "page" },
    });
    expect(await fullRunStatus()).toMatchObject({ state: "queued", checked: 0 });
  });

  it("refuses a second request while one waits or runs, audited, and queues nothing", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const actor = { ...reviewer, sessionExpires: new Date() };
    const first = await startFullVerification({ actor });
    const refusedBefore = (await requestEvents("REFUSED")).length;
    await expect(startFullVerification({ actor })).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: expect.stringMatching(/already waiting/),
    });
    expect(await claimQueuedRun(db)).toEqual({ id: first });
    await expect(startFullVerification({ actor })).rejects.toMatchObject({
      userMessage: expect.stringMatching(/already running/),
    });
    expect(await db.auditVerification.count()).toBe(1);
    const refusals = await requestEvents("REFUSED");
    expect(refusals).toHaveLength(refusedBefore + 2);
    expect(refusals.at(-1)).toMatchObject({ reason: "CONFLICT", data: { runId: first } });
  });

  it("queues exactly one run when twelve reviewers ask at the same moment", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        requestFullVerification(db, { actor: staffActor(reviewer), requestedBy: reviewer.id }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.runId)).size).toBe(1);
    expect(await db.auditVerification.count()).toBe(1);
  });
});

describe("the verification worker", () => {
  it("claims a queued run, verifies the whole log and records the result as a signed event", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const runId = await startFullVerification({
      actor: { ...reviewer, sessionExpires: new Date() },
    });
    const rows = await db.auditEvent.count();
    const seen: number[] = [];
    const done = await workOnce(db, worker(), { onProgress: (checked) => seen.push(checked) });
    expect(done?.runId).toBe(runId);
    expect(done?.report.ok).toBe(true);
    expect(seen.at(-1)).toBe(rows);
    const run = await db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
    expect(run.ok).toBe(true);
    expect(run.finishedAt).not.toBeNull();
    expect(Number(run.checked)).toBe(rows);
    const verified = await db.auditEvent.findFirst({
      where: { action: "audit.verified" },
      orderBy: { id: "desc" },
    });
    expect(verified).toMatchObject({ outcome: "ALLOWED", data: { ok: true, rows } });
    expect(await fullRunStatus()).toMatchObject({ state: "finished" });
    // Nothing left to do.
    expect(await workOnce(db, worker())).toBeNull();
  });

  it("runs a queued run once when four workers look for work at the same moment", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const runId = await startFullVerification({
      actor: { ...reviewer, sessionExpires: new Date() },
    });
    const verifiedBefore = await db.auditEvent.count({ where: { action: "audit.verified" } });
    const results = await Promise.all([1, 2, 3, 4].map(() => workOnce(db, worker())));
    expect(results.filter((r) => r !== null).map((r) => r!.runId)).toEqual([runId]);
    expect(await db.auditEvent.count({ where: { action: "audit.verified" } })).toBe(
      verifiedBefore + 1,
    );
  });

  it("closes a run whose worker fell silent, so a new one can be asked for", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const actor = { ...reviewer, sessionExpires: new Date() };
    const stuck = await startFullVerification({ actor });
    await claimQueuedRun(db);
    await app.query(
      `UPDATE "AuditVerification" SET "heartbeatAt" = now() - interval '3 minutes' WHERE id = $1`,
      [stuck],
    );
    expect(await fullRunStatus()).toMatchObject({ state: "abandoned" });
    // Judged abandoned, it no longer blocks a request, before any worker tidies up.
    const next = await startFullVerification({ actor });
    expect(next).not.toBe(stuck);
    expect(await closeAbandonedRuns(db)).toBe(1);
    const closed = await db.auditVerification.findUniqueOrThrow({ where: { id: stuck } });
    expect(closed.finishedAt).not.toBeNull();
    expect(closed.ok).toBeNull();
    expect(JSON.stringify(closed.problems)).toMatch(/stopped before it finished/);
    // A running one that still reports is left alone.
    await claimQueuedRun(db);
    expect(await closeAbandonedRuns(db)).toBe(0);
  });

  it("ends a run that could not run with why, instead of leaving it open", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const runId = await startFullVerification({
      actor: { ...reviewer, sessionExpires: new Date() },
    });
    // An unreadable checkpoint directory makes the comparison fail after the walk.
    const broken = { ...worker(), dir: "https://127.0.0.1:1/checkpoints" };
    await expect(workOnce(db, broken)).rejects.toThrow();
    const run = await db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
    expect(run.finishedAt).not.toBeNull();
    expect(JSON.stringify(run.problems)).toMatch(/could not finish/);
  });
});

describe("the schedule", () => {
  it("queues a run, as the system, once the newest is as old as the schedule says", async () => {
    await app.query(
      `INSERT INTO "AuditVerification" (id, kind, "requestedAt", "startedAt", "finishedAt", ok)
       VALUES ($1, 'full', now() - interval '25 hours', now() - interval '25 hours', now() - interval '24 hours', true)`,
      [randomUUID()],
    );
    expect(await queueScheduledRun(db, 48)).toBeNull();
    const queued = await queueScheduledRun(db, 24);
    expect(queued).not.toBeNull();
    const event = (await requestEvents("ALLOWED")).at(-1);
    expect(event).toMatchObject({
      actorType: "SYSTEM",
      data: { runId: queued, via: "schedule" },
    });
    // Not again while it is open, nor right after.
    expect(await queueScheduledRun(db, 24)).toBeNull();
  });

  it("does not verify a fresh log at once: the first is due a schedule after the log began", async () => {
    expect(await queueScheduledRun(db, 24)).toBeNull();
    expect(await db.auditVerification.count()).toBe(0);
  });
});

describe("pacing", () => {
  it("rests after each stretch of work in proportion to it", async () => {
    const rests: number[] = [];
    const pace = pacer(0.25, async (ms) => void rests.push(ms));
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    busy(20);
    await pace();
    busy(40);
    await pace();
    expect(rests).toHaveLength(2);
    // Three times as long as it worked (at least: the clock runs between the stretches too).
    expect(rests[0]).toBeGreaterThanOrEqual(60);
    expect(rests[1]).toBeGreaterThanOrEqual(120);
    const never: number[] = [];
    const unpaced = pacer(1, async (ms) => void never.push(ms));
    busy(5);
    await unpaced();
    expect(never).toEqual([]);
  });
});
