import "server-only";
/**
 * GET /readyz's facts and GET /metrics's lag gauges (docs/decisions/041-health-metrics-and-logs.md).
 * The judgement is lib/domain/readiness.ts; here are the reads, all cheap: one round trip for the
 * migrations, one for the outbox and one for the sinks' lag (each an index lookup), and an access()
 * per key file. The answer is kept a few seconds, so a flood of probes costs the database nothing
 * more than one check per few seconds per process.
 */
import { constants } from "node:fs";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db";
import {
  judgeReadiness,
  unappliedMigrations,
  type Readiness,
  type ReadinessFacts,
} from "@/lib/domain/readiness";
import { env, siemSinks } from "@/lib/env";
import { log } from "./log";
import { metrics } from "./metrics";
import { integrityForMetrics } from "./get-audit-integrity";

/** How long one check's answer is reused. */
export const READINESS_CACHE_MS = 5_000;
/** A database that has not answered by then is unreachable, as far as a probe is concerned. */
const DATABASE_TIMEOUT_MS = 3_000;
/** An outbox message given up on after this many tries (lib/server/deliver-outbox.ts) is not lag. */
const OUTBOX_MAX_ATTEMPTS = 8;

type Cached = {
  at: number;
  pending: Promise<{ facts: ReadinessFacts | null; readiness: Readiness }>;
};
const globalForReadiness = globalThis as unknown as {
  consoleReadiness?: Cached;
  consoleMigrations?: Promise<string[] | null>;
};

/** The migration folders of this build, read once per process (prisma/migrations beside the app). */
function expectedMigrations(): Promise<string[] | null> {
  return (globalForReadiness.consoleMigrations ??= readdir(
    path.join(process.cwd(), "prisma", "migrations"),
    { withFileTypes: true },
  )
    .then((entries) =>
      entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    )
    .catch(() => null));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function readable(file: string): Promise<boolean> {
  try {
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The configured key files: the audit event key always, the checkpoint and SSF keys when set. */
function keyFiles(): { name: string; file: string }[] {
  const files = [{ name: "AUDIT_EVENT_KEY_FILE", file: env.AUDIT_EVENT_KEY_FILE }];
  if (env.AUDIT_SIGNING_KEY_FILE)
    files.push({ name: "AUDIT_SIGNING_KEY_FILE", file: env.AUDIT_SIGNING_KEY_FILE });
  if (env.SSF_SIGNING_KEY_FILE)
    files.push({ name: "SSF_SIGNING_KEY_FILE", file: env.SSF_SIGNING_KEY_FILE });
  return files;
}

/** Age of the oldest message still to send, in seconds (0 when none waits). */
async function outboxLagSeconds(): Promise<number> {
  const [row] = await db.$queryRaw<{ lag: number | null }[]>`
    SELECT EXTRACT(EPOCH FROM (now() - min("createdAt")))::float8 AS lag FROM "OutboxMessage"
    WHERE "sentAt" IS NULL AND attempts < ${OUTBOX_MAX_ATTEMPTS}`;
  return Math.max(0, row?.lag ?? 0);
}

/**
 * Per sink: the age of the first audit event past its cursor (0 when it has taken them all). The
 * configured SIEM sinks, the enabled webhook endpoints and the enabled push streams of Shared
 * Signals (a poll stream waits for its receiver, which is not this console's lag).
 */
async function sinkLags(): Promise<{ sink: string; lagSeconds: number }[]> {
  const siem = siemSinks().map((sink) => sink.name);
  const rows = await db.$queryRaw<{ kind: string; name: string; lag: number | null }[]>`
    WITH cursors AS (
      SELECT 'siem' AS kind, sink AS name, position FROM "SiemCursor" WHERE sink = ANY(${siem})
      UNION ALL
      SELECT 'webhook', id::text, position FROM "WebhookEndpoint" WHERE enabled
      UNION ALL
      SELECT 'ssf', id::text, position FROM "SsfStream"
      WHERE status = 'enabled' AND "deliveryMethod" = 'push'
    )
    SELECT c.kind, c.name, EXTRACT(EPOCH FROM (now() - (
      SELECT e."createdAt" FROM "AuditEvent" e WHERE e.position > c.position
      ORDER BY e.position LIMIT 1)))::float8 AS lag
    FROM cursors c`;
  return rows.map((row) => ({
    sink: `${row.kind}:${row.name}`,
    lagSeconds: Math.max(0, row.lag ?? 0),
  }));
}

/** What the probe found; a failed read leaves its fact unknown (and the database unreachable). */
export async function gatherReadinessFacts(): Promise<ReadinessFacts> {
  const keys = await Promise.all(
    keyFiles().map(async ({ name, file }) => ({ name, readable: await readable(file) })),
  );
  const expected = await expectedMigrations();
  try {
    const applied = await withTimeout(
      db.$queryRaw<{ name: string; finished: boolean; rolledBack: boolean }[]>`
        SELECT migration_name AS name, finished_at IS NOT NULL AS finished,
          rolled_back_at IS NOT NULL AS "rolledBack"
        FROM "_prisma_migrations"`,
      DATABASE_TIMEOUT_MS,
    );
    const [outbox, sinks] = await withTimeout(
      Promise.all([outboxLagSeconds(), sinkLags()]),
      DATABASE_TIMEOUT_MS,
    );
    return {
      databaseReachable: true,
      unappliedMigrations: expected ? unappliedMigrations(expected, applied) : null,
      keyFiles: keys,
      outboxLagSeconds: outbox,
      sinkLags: sinks,
    };
  } catch (error) {
    log().warn({ err: error }, "readiness: the database did not answer");
    return {
      databaseReachable: false,
      unappliedMigrations: null,
      keyFiles: keys,
      outboxLagSeconds: null,
      sinkLags: [],
    };
  }
}

function thresholds() {
  return {
    outboxLagSeconds: env.READY_OUTBOX_LAG_SECONDS,
    sinkLagSeconds: env.READY_SINK_LAG_SECONDS,
  };
}

/** The lag gauges of GET /metrics, from facts just gathered: the worst sink of each kind. */
function setLagGauges(facts: ReadinessFacts): void {
  const m = metrics();
  if (facts.outboxLagSeconds !== null) m.outboxLag.set(facts.outboxLagSeconds);
  const worst = new Map<string, number>([
    ["siem", 0],
    ["webhook", 0],
    ["ssf", 0],
  ]);
  for (const { sink, lagSeconds } of facts.sinkLags) {
    const kind = sink.split(":")[0]!;
    worst.set(kind, Math.max(worst.get(kind) ?? 0, lagSeconds));
  }
  if (facts.databaseReachable) for (const [sink, lag] of worst) m.sinkLag.set({ sink }, lag);
}

/** The reason's kind, a bounded label ("sink siem:x lag …" → "sink lag"). */
function reasonKind(reason: string): string {
  if (reason.startsWith("key file")) return "key file";
  if (reason.startsWith("migrations")) return "migrations";
  if (reason.startsWith("outbox")) return "outbox lag";
  if (reason.startsWith("sink")) return "sink lag";
  return "database";
}

/**
 * Ready or not, checked at most once per READINESS_CACHE_MS in this process. Not ready: each
 * reason is logged (a warning) and counted; the caller's answer says nothing more.
 */
export function checkReadiness(now = Date.now()): Promise<Readiness> {
  const cached = globalForReadiness.consoleReadiness;
  if (cached && now - cached.at < READINESS_CACHE_MS)
    return cached.pending.then((r) => r.readiness);
  const pending = gatherReadinessFacts().then((facts) => {
    setLagGauges(facts);
    const readiness = judgeReadiness(facts, thresholds());
    if (!readiness.ready) {
      for (const reason of readiness.reasons)
        metrics().notReady.inc({ reason: reasonKind(reason) });
      log().warn({ reasons: readiness.reasons }, "readiness: not ready");
    }
    return { facts, readiness };
  });
  // A check that failed outright (a bug) is an answer too: not ready, logged, not a 500.
  const answered = pending.catch((error: unknown) => {
    log().error({ err: error }, "readiness: the check failed");
    const readiness: Readiness = { ready: false, reasons: ["readiness check failed"] };
    return { facts: null, readiness };
  });
  globalForReadiness.consoleReadiness = { at: now, pending: answered };
  return answered.then((r) => r.readiness);
}

/** Forgets the kept answer (tests that change the facts between checks). */
export function forgetReadiness(): void {
  globalForReadiness.consoleReadiness = undefined;
}

/** The lag gauges, refreshed once for this scrape (shares the readiness check's few-second answer). */
export async function refreshLagGauges(): Promise<void> {
  await checkReadiness();
}

/**
 * The audit log's integrity gauges of GET /metrics, read at scrape time from the results that are
 * part of the log, as the reviewer page reads them (never from the runs table, which the console's
 * own role writes). Not part of readiness: a log found broken is the security team's incident, and
 * taking the console out of its load balancer would only stop the desk. A failed read is logged
 * and leaves the last values.
 */
export async function refreshVerificationGauges(): Promise<void> {
  try {
    const { full, lastAlertAt } = await withTimeout(integrityForMetrics(), DATABASE_TIMEOUT_MS);
    const m = metrics();
    if (full) {
      m.verificationAge.set({ kind: "full" }, Math.max(0, (Date.now() - full.at.getTime()) / 1000));
      m.verificationIntact.set({ kind: "full" }, full.intact ? 1 : 0);
    } else {
      m.verificationAge.reset();
      m.verificationIntact.reset();
    }
    m.integrityAlertTime.set(lastAlertAt ? Math.floor(lastAlertAt.getTime() / 1000) : 0);
  } catch (error) {
    log().warn({ err: error }, "metrics: the audit log's results could not be read");
  }
}
