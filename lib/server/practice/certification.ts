import "server-only";
/**
 * Certification by practice calls, server side (docs/decisions/032): reading a staff member's
 * certification and progress, awarding one in the transaction that finishes a run, and the gate
 * the case unit of work applies to every path that advances a gated tier's recovery. The rules
 * are pure, in lib/domain/practice/certification.ts.
 */
import {
  certificationGate,
  certificationProgress,
  certificationStatus,
  newestCertification,
  shouldAward,
  addMonths,
  type CertificationProgress,
  type CertificationStatus,
} from "@/lib/domain/practice/certification";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY, deskRules } from "@/lib/domain/recovery-policy";
import type { RiskTier } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, type AuditActor, type Tx } from "../audit";
import type { RequestContext } from "../request-context";

type Client = Tx | typeof db;

/** The staff member's newest certification granted by `now`, or null. */
export async function latestCertification(client: Client, staffId: string, now: Date) {
  const rows = await client.staffCertification.findMany({
    where: { staffId, certifiedAt: { lte: now } },
    orderBy: { expiresAt: "desc" },
    take: 1,
  });
  return newestCertification(rows, now);
}

/** The staff member's certification status at `now`, under the active policy's rules. */
export async function certificationStatusOf(
  client: Client,
  staffId: string,
  now: Date,
): Promise<CertificationStatus> {
  const rules = deskRules().certification;
  return certificationStatus(await latestCertification(client, staffId, now), rules, now);
}

/** The finished runs that may count towards certification (within the validity window). */
async function finishedRuns(client: Client, staffId: string, now: Date) {
  const rules = deskRules().certification;
  const rows = await client.practiceRun.findMany({
    where: {
      staffId,
      finishedAt: { not: null, gt: addMonths(now, -rules.validMonths), lte: now },
    },
    select: {
      id: true,
      scenarioKey: true,
      scenarioVersion: true,
      impostor: true,
      finishedAt: true,
      safe: true,
      passed: true,
    },
  });
  return rows.map((row) => ({ ...row, finishedAt: row.finishedAt! }));
}

/** Progress towards (re)certification at `now`. */
export async function progressOf(
  client: Client,
  staffId: string,
  now: Date,
): Promise<CertificationProgress> {
  const rules = deskRules().certification;
  // One after the other: `client` may be a transaction, whose one connection runs one query at a time.
  const runs = await finishedRuns(client, staffId, now);
  const previous = await latestCertification(client, staffId, now);
  return certificationProgress({ runs, rules, now, previous });
}

/**
 * Called in the transaction that finishes a practice run: certifies the staff member if their
 * passed runs now meet the policy (docs/decisions/032), audited. Returns the new certification's
 * expiry, or null when none was awarded. Granted when earned and the staff member has no current
 * certification, or theirs is within the reminder window of its expiry (or expired): the new one
 * runs `validMonths` from now. An advisory lock on the staff member is taken first, so two runs
 * finishing at once grant at most one.
 */
export async function awardCertificationIfEarned(
  tx: Tx,
  input: { staffId: string; now: Date; actor: AuditActor; request?: RequestContext },
): Promise<{ expiresAt: Date } | null> {
  const rules = deskRules().certification;
  // One award at a time per staff member (a lock of its own: no recovery path takes it).
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`certification:${input.staffId}`}, 0))`;
  const previous = await latestCertification(tx, input.staffId, input.now);
  const status = certificationStatus(previous, rules, input.now);
  const runs = await finishedRuns(tx, input.staffId, input.now);
  const progress = certificationProgress({ runs, rules, now: input.now, previous });
  if (!shouldAward(progress, status)) return null;
  const expiresAt = addMonths(input.now, rules.validMonths);
  const granted = await tx.staffCertification.create({
    data: {
      staffId: input.staffId,
      certifiedAt: input.now,
      expiresAt,
      policyVersion: ACTIVE_POLICY.version,
      runIds: progress.runIds,
      basis: "practice",
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    action: "certification.granted",
    outcome: "ALLOWED",
    actor: input.actor,
    target: { type: "staff_certification", id: granted.id },
    data: {
      staffId: input.staffId,
      expiresAt: expiresAt.toISOString(),
      policyVersion: ACTIVE_POLICY.version,
      basis: "practice",
      runIds: progress.runIds,
    },
    request: input.request,
  });
  return { expiresAt };
}

/**
 * The gate, in a transaction: may this staff member advance the recovery of a person of `tier`?
 * `colleague` names someone else (a case handed to them) for the message.
 */
export async function certificationRefusal(
  tx: Client,
  input: { staffId: string; tier: RiskTier; now: Date; colleague?: { name: string } },
): Promise<Refusal | null> {
  const rules = deskRules().certification;
  if (!rules.requiredForTiers.includes(input.tier)) return null;
  const status = await certificationStatusOf(tx, input.staffId, input.now);
  const gate = certificationGate({ rules, tier: input.tier, status, who: input.colleague });
  return gate.ok ? null : gate;
}

/** For pages: the gate's refusal for this staff member on a person of `tier` now, or null. */
export async function certificationRefusalFor(staffId: string, tier: RiskTier) {
  return certificationRefusal(db, { staffId, tier, now: new Date() });
}

/** For pages: the staff member's certification status now. */
export async function currentCertificationStatus(staffId: string) {
  return certificationStatusOf(db, staffId, new Date());
}

/** For pages: the staff member's certification status and progress towards (re)certifying now. */
export async function currentCertification(staffId: string) {
  const now = new Date();
  const [status, progress] = await Promise.all([
    certificationStatusOf(db, staffId, now),
    progressOf(db, staffId, now),
  ]);
  return { status, progress };
}
