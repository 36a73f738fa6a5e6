/**
 * Full verifications of the audit log as queued runs (docs/decisions/020): the reviewer page
 * and the schedule queue one, the verification worker (scripts/audit-worker.ts, a process of its
 * own, never the web server) claims and runs it, and the page follows its progress. At most one
 * is queued or running at a time; a run whose worker stopped is closed as abandoned.
 *
 * NOTE: not marked "server-only": the worker (plain Node) uses it with its own client.
 */
import type { PrismaClient } from "@/generated/prisma/client";
import {
  ABANDONED_AFTER_MS,
  blocksAnother,
  FUTURE_SLACK_MS,
  scheduledRunDue,
  type RunRow,
} from "@/lib/domain/verification-runs";
import { auditedTransaction, recordAudit, type AuditActor, type Tx } from "./audit";
import type { RequestContext } from "./request-context";

/** Serializes requests, so two reviewers clicking at once queue one run, not two. */
const QUEUE_LOCK = 7_355_611;

/** The worker listens here, so a run asked for on the page starts at once rather than at the next poll. */
export const VERIFICATION_CHANNEL = "audit_verification";

type Client = Pick<
  PrismaClient,
  "$transaction" | "$queryRaw" | "$executeRaw" | "auditVerification"
>;

export type RequestOutcome =
  { ok: true; runId: string } | { ok: false; runId: string; message: string };

const OPEN_SELECT = {
  id: true,
  requestedAt: true,
  startedAt: true,
  finishedAt: true,
  heartbeatAt: true,
  ok: true,
} as const;

async function blockingRun(tx: Tx, now: Date) {
  const open = await tx.auditVerification.findMany({
    where: { kind: "full", finishedAt: null },
    select: OPEN_SELECT,
  });
  return open.find((run) => blocksAnother(run, now)) ?? null;
}

/**
 * Queues a full verification, audited in the same transaction; refused (audited, nothing
 * queued) while another is queued or running.
 */
export async function requestFullVerification(
  client: Client,
  input: { actor: AuditActor; requestedBy: string | null; request?: RequestContext },
): Promise<RequestOutcome> {
  return auditedTransaction(client, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUEUE_LOCK})`;
    const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
    const now = clock!.now;
    const open = await blockingRun(tx, now);
    if (open) {
      await recordAudit(tx, {
        action: "audit.verification_requested",
        outcome: "REFUSED",
        reason: "CONFLICT",
        actor: input.actor,
        target: { type: "verification", id: open.id },
        data: { runId: open.id, via: "page" },
        request: input.request,
      });
      return {
        ok: false as const,
        runId: open.id,
        message: open.startedAt
          ? "A full verification is already running; its progress shows below."
          : "A full verification is already waiting for the verification worker.",
      };
    }
    return { ok: true as const, runId: await queue(tx, input, "page") };
  });
}

async function queue(
  tx: Tx,
  input: { actor: AuditActor; requestedBy: string | null; request?: RequestContext },
  via: "page" | "schedule",
) {
  const run = await tx.auditVerification.create({
    data: { kind: "full", requestedBy: input.requestedBy },
    select: { id: true },
  });
  await recordAudit(tx, {
    action: "audit.verification_requested",
    outcome: "ALLOWED",
    actor: input.actor,
    target: { type: "verification", id: run.id },
    data: { runId: run.id, via },
    request: input.request,
  });
  await tx.$executeRaw`SELECT pg_notify(${VERIFICATION_CHANNEL}, ${run.id})`;
  return run.id;
}

/**
 * The schedule: queues a run when none was asked for in the last `hours` (and none is open).
 * Returns the queued run's id, or null.
 */
export async function queueScheduledRun(client: Client, hours: number): Promise<string | null> {
  return auditedTransaction(client, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUEUE_LOCK})`;
    const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
    const now = clock!.now;
    // A run dated in the future (only a planted row has one) does not put the schedule off.
    const newest = await tx.auditVerification.findFirst({
      where: { kind: "full", requestedAt: { lte: new Date(now.getTime() + FUTURE_SLACK_MS) } },
      orderBy: { requestedAt: "desc" },
      select: { requestedAt: true },
    });
    const since =
      newest?.requestedAt ??
      (await tx.auditEvent.findFirst({ orderBy: { id: "asc" }, select: { createdAt: true } }))
        ?.createdAt ??
      null;
    if (!scheduledRunDue(since, hours, now)) return null;
    if (await blockingRun(tx, now)) return null;
    return queue(
      tx,
      { actor: { type: "SYSTEM", name: "verification worker" }, requestedBy: null },
      "schedule",
    );
  });
}

/**
 * Claims the oldest queued run for this worker (SKIP LOCKED: two workers never claim the same
 * one), marking it started. Null when nothing is queued.
 */
export async function claimQueuedRun(
  client: Pick<PrismaClient, "$queryRaw">,
): Promise<{ id: string } | null> {
  const [claimed] = await client.$queryRaw<{ id: string }[]>`
    UPDATE "AuditVerification" SET "startedAt" = now(), "heartbeatAt" = now(),
      "total" = (SELECT count(*) FROM "AuditEvent")
    WHERE id = (
      SELECT id FROM "AuditVerification"
      WHERE kind = 'full' AND "startedAt" IS NULL AND "finishedAt" IS NULL
      ORDER BY "requestedAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id::text`;
  return claimed ?? null;
}

/** Closes runs whose worker fell silent (it stopped or crashed): they no longer block a request. */
export async function closeAbandonedRuns(
  client: Pick<PrismaClient, "$executeRaw">,
): Promise<number> {
  const problem = JSON.stringify([
    { id: "?", position: null, problem: "the verification worker stopped before it finished" },
  ]);
  // Silent too long, or a "heartbeat" from the future (heartbeats use the database's clock).
  return client.$executeRaw`
    UPDATE "AuditVerification" SET "finishedAt" = now(), problems = ${problem}::jsonb
    WHERE "finishedAt" IS NULL AND "startedAt" IS NOT NULL
      AND (coalesce("heartbeatAt", "startedAt") < now() - ${ABANDONED_AFTER_MS} * interval '1 millisecond'
        OR coalesce("heartbeatAt", "startedAt") > now() + ${FUTURE_SLACK_MS} * interval '1 millisecond')`;
}

export type RunView = RunRow & {
  id: string;
  checked: number;
  total: number;
  requestedBy: string | null;
  problems: unknown;
};

/** The newest full run (queued, running or done), for the page; none dated in the future. */
export async function newestFullRun(
  client: Pick<PrismaClient, "auditVerification">,
): Promise<RunView | null> {
  const run = await client.auditVerification.findFirst({
    where: { kind: "full", requestedAt: { lte: new Date(Date.now() + FUTURE_SLACK_MS) } },
    orderBy: { requestedAt: "desc" },
    select: { ...OPEN_SELECT, checked: true, total: true, requestedBy: true, problems: true },
  });
  return run ? { ...run, checked: Number(run.checked), total: Number(run.total) } : null;
}

/** Thrown when a run's row was closed under it (judged abandoned): the walk stops, recording nothing. */
export class RunClosedError extends Error {
  constructor(runId: string) {
    super(`the full verification ${runId} was closed while it ran (judged abandoned); it stops`);
  }
}

/**
 * A running run's sign of life, with the database's clock, and its progress. Only while the run
 * is open: a run closed under its worker throws RunClosedError, so two walks never share a row.
 */
export async function beat(
  client: Pick<PrismaClient, "$executeRaw">,
  runId: string,
  progress: { checked?: number; total?: number } = {},
): Promise<void> {
  const updated = await client.$executeRaw`
    UPDATE "AuditVerification" SET "heartbeatAt" = now(),
      checked = coalesce(${progress.checked ?? null}::bigint, checked),
      total = coalesce(${progress.total ?? null}::bigint, total)
    WHERE id = ${runId}::uuid AND "finishedAt" IS NULL`;
  if (updated === 0) throw new RunClosedError(runId);
}
