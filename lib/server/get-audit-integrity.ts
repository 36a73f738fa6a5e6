import "server-only";
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { checkV2Row } from "@/lib/domain/audit-log-check";
import { attestationValid, type VerificationResult } from "@/lib/domain/verification-attestation";
import { openNote, rawPublicKey, verifierKey } from "@/lib/domain/tlog/note";
import type { WitnessConfig } from "@/lib/domain/witness-config";
import { trustedEventKeys } from "./audit-keys";
import { configuredWitnesses, logOrigin } from "./audit-log-config";
import {
  countStrayRows,
  latestCheckpoint,
  readNewLeaves,
  type StoppedAt,
} from "./audit-log-signer";
import { cosignatureVerifies } from "./audit-proofs";
import { rootAt } from "./audit-tiles";
import { fullRunStatus } from "./start-full-verification";

export type AuditIntegrity = Awaited<ReturnType<typeof getAuditIntegrity>>;

/**
 * The reviewer page's view of the log's integrity (docs/decisions/017): how far it is signed and
 * witnessed, the latest incremental and full verification results, and, when asked, a check run
 * now: the latest checkpoint's signature, the stored tree against its root, the rows written
 * since, and counts of rows outside the log. Milliseconds, whatever the log's size: the full
 * verification runs outside the web process (npm run audit:verify) and its result shows here.
 */
export async function getAuditIntegrity(input: { checkNow: boolean; checkMax?: number }) {
  const [head] = await db.$queryRaw<{ max: bigint | null; newest: Date | null }[]>`
    SELECT max("position") AS max, max("createdAt") AS newest FROM "AuditEvent"`;
  const size = head?.max == null ? 0 : Number(head.max) + 1;
  const checkpoint = await db.auditCheckpoint.findFirst({
    orderBy: { size: "desc" },
    select: { size: true, createdAt: true },
  });
  const configured = configuredWitnesses();
  const witnesses = await Promise.all(configured.map(witnessProgress));
  const { lastFull, lastAlert } = await latestResults();
  // The newest full run, queued or running or done (a claim, not a result: results are events).
  const fullRun = await fullRunStatus();
  return {
    ...publicKeys(),
    size,
    newestEventAt: head?.newest ?? null,
    checkpoint: checkpoint
      ? { size: Number(checkpoint.size), signedAt: checkpoint.createdAt }
      : null,
    signing: !!env.AUDIT_SIGNING_KEY_FILE,
    intervalSeconds: env.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
    witnesses,
    lastFull,
    lastAlert,
    fullRun,
    check: input.checkNow ? await checkSinceCheckpoint(input.checkMax ?? PAGE_CHECK_MAX) : null,
  };
}

type Check = { ok: boolean; checked: number; unchecked?: number; problems: string[] };

/**
 * The most newer events "Check integrity now" checks in the request: the signer checks every
 * one as it checkpoints, and the full verification runs in its worker (decision 020).
 */
const PAGE_CHECK_MAX = 5000;

async function checkSinceCheckpoint(max: number): Promise<Check> {
  const problems: string[] = [];
  const keys = trustedEventKeys();
  const keyFile = env.AUDIT_PUBLIC_KEY_FILE ?? env.AUDIT_SIGNING_KEY_FILE;
  if (!keyFile) return { ok: false, checked: 0, problems: ["no checkpoint key is configured"] };
  const publicKey = createPublicKey(readFileSync(keyFile, "utf8"));
  const origin = logOrigin();
  let latest;
  try {
    latest = await latestCheckpoint(db, { origin, publicKey });
  } catch (error) {
    return { ok: false, checked: 0, problems: [(error as Error).message] };
  }
  const oldSize = latest?.size ?? 0;
  if (latest && !(await rootAt(db, oldSize)).equals(latest.rootHash))
    problems.push(`the stored tree no longer has the root checkpoint ${oldSize} signed`);
  const [head] = await db.$queryRaw<{ max: bigint | null }[]>`
    SELECT max("position") AS max FROM "AuditEvent"`;
  const headSize = head?.max == null ? 0 : Number(head.max) + 1;
  if (headSize < oldSize)
    problems.push(`the log has ${headSize} positions but a checkpoint signed ${oldSize}`);
  // Bounded, whatever the signer's backlog: the page checks at most `max` newer events.
  const to = Math.min(Math.max(headSize, oldSize), oldSize + max);
  const { leaves, flagged, stoppedAt } = await readNewLeaves(db, keys, oldSize, to);
  for (const row of flagged.slice(0, 20)) problems.push(describe(row));
  if (flagged.length > 20) problems.push(`… and ${flagged.length - 20} more rows`);
  if (stoppedAt) problems.push(describe(stoppedAt));
  const stray = await countStrayRows(db, oldSize + leaves.length);
  if (stray !== 0)
    problems.push(`${stray} row(s) outside the log: run npm run audit:verify to name them`);
  return {
    ok: problems.length === 0,
    checked: leaves.length,
    unchecked: stoppedAt ? 0 : Math.max(0, headSize - to),
    problems,
  };
}

function describe(stoppedAt: StoppedAt) {
  return `position ${stoppedAt.position}${stoppedAt.id === "?" ? "" : ` (row ${stoppedAt.id})`}: ${stoppedAt.problem}`;
}

/** What an auditor needs to check an export or a proof outside the console: public keys only. */
function publicKeys() {
  const keyFile = env.AUDIT_PUBLIC_KEY_FILE ?? env.AUDIT_SIGNING_KEY_FILE;
  const logVkey = keyFile
    ? verifierKey(logOrigin(), rawPublicKey(createPublicKey(readFileSync(keyFile, "utf8"))))
    : null;
  const eventKeys = [...trustedEventKeys()].map(([id, key]) => ({
    id,
    publicKey: rawPublicKey(key).toString("base64"),
  }));
  return { logVkey, eventKeys };
}

/**
 * How far a witness has cosigned: its newest cosignature that verifies, with its own key, over the
 * checkpoint it claims to sign. A row that does not verify (planted by someone who can insert) is
 * reported, never counted.
 */
async function witnessProgress(witness: WitnessConfig) {
  const rows = await db.auditCosignature.findMany({
    where: { witness: witness.name },
    orderBy: { size: "desc" },
    take: 20,
    include: { checkpoint: { select: { note: true } } },
  });
  let forged = 0;
  for (const row of rows) {
    const body = openNote(row.checkpoint.note, []).text;
    if (cosignatureVerifies(body, row.line, witness.vkey))
      return { name: witness.name, size: Number(row.size), at: row.createdAt, forged };
    forged++;
  }
  return { name: witness.name, size: null, at: null, forged };
}

/**
 * The newest results that are part of the log (decision 017): the full verification's, attested
 * by the checkpoint key, and the signer's newest integrity alert. A row of the runs table, which
 * the console's own role writes, is never a result.
 */
async function latestResults() {
  const keys = trustedEventKeys();
  const [lastFull, lastAlert] = await Promise.all([
    latestSignedEvent("audit.verified", keys, attestedByTheLog),
    latestSignedEvent("audit.integrity_alert", keys),
  ]);
  return { lastFull, lastAlert };
}

/** What GET /metrics reports of the log's integrity, from the same results as the reviewer page. */
export async function integrityForMetrics(): Promise<{
  full: { at: Date; intact: boolean } | null;
  lastAlertAt: Date | null;
}> {
  const { lastFull, lastAlert } = await latestResults();
  return {
    full: lastFull
      ? { at: lastFull.at, intact: (lastFull.data as { ok?: unknown }).ok === true }
      : null,
    lastAlertAt: lastAlert?.at ?? null,
  };
}

/**
 * The newest event of an action that is part of the log (signed by a trusted key, columns as
 * signed): a row planted by someone who can insert is passed over, never shown as a result.
 */
async function latestSignedEvent(
  action: string,
  keys: ReadonlyMap<string, KeyObject>,
  accept: (data: unknown) => boolean = () => true,
) {
  const rows = await db.auditEvent.findMany({
    where: { action, formatVersion: 2 },
    orderBy: { position: "desc" },
    take: 10,
  });
  const row = rows.find((candidate) => checkV2Row(candidate, keys).ok && accept(candidate.data));
  return row ? { at: row.createdAt, position: Number(row.position), data: row.data } : null;
}

/**
 * A full verification's result counts only with the checkpoint key's attestation: the event key,
 * which every application host holds, is not enough to write a clean result over a failing one.
 */
function attestedByTheLog(data: unknown): boolean {
  const keyFile = env.AUDIT_PUBLIC_KEY_FILE ?? env.AUDIT_SIGNING_KEY_FILE;
  if (!keyFile) return false;
  return attestationValid(
    data as VerificationResult & { attestation?: string | null },
    createPublicKey(readFileSync(keyFile, "utf8")),
  );
}
