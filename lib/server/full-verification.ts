/**
 * The full verification of the audit log (docs/decisions/017-verifiable-audit-log.md): every row
 * checked (verify-audit-log.ts), then the tree recomputed from the rows and compared with the
 * newest checkpoint, whichever is newer of the database's and the checkpoint directory's copy,
 * checked with the log's public key only. The result is recorded (AuditVerification) for the
 * reviewer page. Runs in `npm run audit:verify`, outside the web process.
 *
 * NOTE: not marked "server-only": the verify command (plain Node) runs it.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PrismaClient } from "@/generated/prisma/client";
import { parseCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { attestResult, type VerificationResult } from "@/lib/domain/verification-attestation";
import { openNote, trustedBy, type NoteVerifier } from "@/lib/domain/tlog/note";
import { auditedTransaction, recordAudit } from "./audit";
import { checkpointStore } from "./checkpoint-store";
import { beat, RunClosedError } from "./verification-runs";
import { verifyAuditLog, type LogProblem, type LogReport } from "./verify-audit-log";

export type FullReport = Omit<LogReport, "ledger"> & {
  checkpoint: { size: number; source: "database" | "directory" } | null;
  checkpointProblem: string | null;
};

export async function runFullVerification(
  client: PrismaClient,
  input: {
    eventKeys: ReadonlyMap<string, KeyObject>;
    log: NoteVerifier;
    dir?: string;
    requestedBy?: string;
    /** A run the verification worker claimed (lib/server/verification-runs.ts); else a new one. */
    runId?: string;
    onProgress?: (rows: number, total: number) => void | Promise<void>;
    /**
     * Called between batches: the worker rests here, so the walk takes only its share of the
     * machine, calling `beat` during a long rest so the run is not judged abandoned.
     */
    pace?: (beat: () => Promise<void>) => Promise<void>;
    /** The database `client` reaches, for the walk's own connection (default DATABASE_URL). */
    databaseUrl?: string;
    /** Check every signature, whatever the check receipts say (docs/decisions/049). */
    everySignature?: boolean;
  },
): Promise<FullReport> {
  const total = await client.auditEvent.count();
  const run = input.runId
    ? { id: input.runId }
    : await client.auditVerification.create({
        data: { kind: "full", requestedBy: input.requestedBy, startedAt: new Date(), total },
        select: { id: true },
      });
  await beat(client, run.id, { total });
  let lastWrite = Date.now();
  const report = await verifyAuditLog(client, {
    keys: input.eventKeys,
    databaseUrl: input.databaseUrl,
    everySignature: input.everySignature,
    onProgress: async (rows) => {
      await input.onProgress?.(rows, total);
      if (Date.now() - lastWrite >= 1000) {
        lastWrite = Date.now();
        await beat(client, run.id, { checked: rows });
      }
      await input.pace?.(() => beat(client, run.id));
    },
  });
  const { ledger, ...rest } = report;
  const compared = await compareWithNewestCheckpoint(client, report, input);
  const problems: LogProblem[] = [
    ...rest.problems,
    ...(compared.problem ? [{ id: "?", position: null, problem: compared.problem }] : []),
  ];
  const ok = rest.ok && compared.problem === null;
  // Only a run still open is finished: one closed under it (judged abandoned) records nothing.
  const finished = await client.auditVerification.updateMany({
    where: { id: run.id, finishedAt: null },
    data: {
      finishedAt: new Date(),
      checked: BigInt(rest.rows),
      ok,
      size: BigInt(rest.size),
      problems: problems.slice(0, 200),
    },
  });
  if (finished.count === 0) throw new RunClosedError(run.id);
  void ledger;
  // The result is a signed event in the log, where the reviewer page reads it (decision 017);
  // without the event key (an auditor's machine) it is only printed.
  const result: VerificationResult = {
    ok,
    rows: rest.rows,
    size: rest.size,
    checkpointSize: compared.checkpoint?.size ?? null,
    problemCount: rest.problemCount + (compared.problem ? 1 : 0),
    problems: problems
      .slice(0, 5)
      .map((p) =>
        `${p.position ? `position ${p.position}` : `row ${p.id}`}: ${p.problem}`.slice(0, 300),
      ),
  };
  await recordResult(client, result);
  return {
    ...rest,
    ok,
    problems,
    problemCount: rest.problemCount + (compared.problem ? 1 : 0),
    checkpoint: compared.checkpoint,
    checkpointProblem: compared.problem,
  };
}

/**
 * The result as a signed event in the log, where the reviewer page reads it (decision 017),
 * attested by the checkpoint key where it is at hand; without the event key (an auditor's
 * machine) it is only printed.
 */
export async function recordResult(client: PrismaClient, result: VerificationResult) {
  if (!process.env.AUDIT_EVENT_KEY_FILE) return;
  await auditedTransaction(client, (tx) =>
    recordAudit(tx, {
      action: "audit.verified",
      outcome: result.ok ? "ALLOWED" : "REFUSED",
      reason: result.ok ? undefined : "NOT_PART_OF_THE_LOG",
      actor: { type: "SYSTEM", name: "npm run audit:verify" },
      data: { ...result, attestation: attestation(result) },
    }),
  );
}

async function compareWithNewestCheckpoint(
  client: Pick<PrismaClient, "auditCheckpoint">,
  report: LogReport,
  input: { log: NoteVerifier; dir?: string },
): Promise<{ checkpoint: FullReport["checkpoint"]; problem: string | null }> {
  const stored = await client.auditCheckpoint.findFirst({ orderBy: { size: "desc" } });
  const file = input.dir
    ? (await checkpointStore(input.dir, input.log.name).newest(input.log))?.note
    : null;
  const candidates = [
    ...(stored ? [{ note: stored.note, source: "database" as const }] : []),
    ...(file ? [{ note: file, source: "directory" as const }] : []),
  ];
  let newest: { size: number; root: Buffer; source: "database" | "directory" } | null = null;
  for (const candidate of candidates) {
    let opened: ReturnType<typeof openNote>;
    let checkpoint: ReturnType<typeof parseCheckpoint>;
    try {
      opened = openNote(candidate.note, [input.log]);
      checkpoint = parseCheckpoint(opened.text);
    } catch (error) {
      // A planted row that is not even a note is a finding, not a reason to record nothing.
      return {
        checkpoint: null,
        problem: `the newest checkpoint in the ${candidate.source} cannot be read: ${String(error).slice(0, 120)}`,
      };
    }
    if (!trustedBy(opened, input.log))
      return {
        checkpoint: null,
        problem: `the newest checkpoint in the ${candidate.source} is not signed by the log's key`,
      };
    if (checkpoint.origin !== input.log.name)
      return { checkpoint: null, problem: `a checkpoint for another log (${checkpoint.origin})` };
    if (!newest || checkpoint.size > newest.size)
      newest = { size: checkpoint.size, root: checkpoint.rootHash, source: candidate.source };
  }
  if (!newest) return { checkpoint: null, problem: "no checkpoint yet" };
  const checkpoint = { size: newest.size, source: newest.source };
  if (newest.size > report.size)
    return {
      checkpoint,
      problem: `the checkpoint signed ${newest.size} events but the log has ${report.size}: events were removed`,
    };
  const root = await report.ledger.rootAt(newest.size);
  if (!root.equals(newest.root))
    return {
      checkpoint,
      problem: `the events no longer hash to the root the checkpoint of ${newest.size} signed: the log was rewritten`,
    };
  return { checkpoint, problem: null };
}

/** The checkpoint key's attestation of the result, where that key is at hand. */
function attestation(result: VerificationResult): string | null {
  const file = process.env.AUDIT_SIGNING_KEY_FILE;
  if (!file) return null;
  return attestResult(result, createPrivateKey(readFileSync(file, "utf8")));
}
