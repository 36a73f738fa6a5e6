import "server-only";
/**
 * Stopping stops: everything a recovery issued that could still be used is voided in the
 * transaction of the decision that stops it. Called by every stop path (closing a case, a red
 * flag, a failed step or a manager's denial, a supervisor's denial, "this wasn't me", the user
 * becoming a leaver or suspended, revoke-all), always under the user's lock taken by the unit
 * of work, so nothing can be redeemed or registered between the decision and the voiding.
 */
import { Prisma } from "@/generated/prisma/client";
import { recoveryStoppedNotice } from "@/lib/domain/notifications";
import type { Tx } from "../audit";
import { enqueueMessage } from "../enqueue-message";

export type VoidScope = { caseId: string } | { userId: string };

export type Voided = {
  passes: number;
  passSessions: number;
  enrolmentLinks: number;
  stepLinks: number;
  approvals: number;
  challenges: number;
};

export const NOTHING_VOIDED: Voided = {
  passes: 0,
  passSessions: 0,
  enrolmentLinks: 0,
  stepLinks: 0,
  approvals: 0,
  challenges: 0,
};

/**
 * Voids, for one case or for every case of a user: unused passes; the sessions that redeemed
 * passes opened (they could still enrol a passkey); enrolment links; step links; pending
 * approvals; open WebAuthn ceremonies of any of these. One statement (data-modifying CTEs on one
 * snapshot, under the user's lock the caller holds): every stop path makes one round trip for
 * it rather than eleven, so the user's row is locked for less time.
 */
export async function voidRecovery(
  tx: Tx,
  scope: VoidScope,
  input: { reason: string; now: Date },
): Promise<Voided> {
  const byCase = "caseId" in scope;
  const scoped = byCase
    ? Prisma.sql`"caseId" = ${scope.caseId}::uuid`
    : Prisma.sql`"userId" = ${scope.userId}::uuid`;
  const ofCases = byCase
    ? Prisma.sql`"caseId" = ${scope.caseId}::uuid`
    : Prisma.sql`"caseId" IN (SELECT id FROM "RecoveryCase" WHERE "userId" = ${scope.userId}::uuid)`;
  // A user's own ceremonies (registration, proof) end with a revocation of everything.
  const usersOwn = byCase
    ? Prisma.sql`false`
    : Prisma.sql`("userId" = ${scope.userId}::uuid AND purpose IN ('register', 'proof'))`;
  // Prisma's DateTime columns are timestamps without a zone holding UTC.
  const now = Prisma.sql`${input.now.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
  const reason = input.reason;
  const [counts] = await tx.$queryRaw<Record<keyof Voided, bigint>[]>`
    WITH passes AS (
      UPDATE "TemporaryAccessPass" SET "voidedAt" = ${now}, "voidReason" = ${reason}
      WHERE ${scoped} AND "usedAt" IS NULL AND "voidedAt" IS NULL RETURNING id
    ), pass_sessions AS (
      -- A pass already redeemed left a short session that may still enrol: end it too.
      DELETE FROM "WorkforceSession" WHERE method = 'tap'
        AND "tapId" IN (SELECT id FROM "TemporaryAccessPass" WHERE ${scoped}) RETURNING id
    ), links AS (
      UPDATE "EnrolmentLink" SET "voidedAt" = ${now}, "voidReason" = ${reason}
      WHERE ${scoped} AND "usedAt" IS NULL AND "voidedAt" IS NULL RETURNING id
    ), step_links AS (
      UPDATE "StepLink" SET "voidedAt" = ${now}, "voidReason" = ${reason}
      WHERE ${ofCases} AND "usedAt" IS NULL AND "voidedAt" IS NULL RETURNING id
    ), approvals AS (
      UPDATE "Approval" SET status = 'VOIDED', reason = ${`voided: ${reason}`.slice(0, 500)}
      WHERE ${ofCases} AND status = 'PENDING' RETURNING id
    ), challenges AS (
      UPDATE "WebAuthnChallenge" SET "usedAt" = ${now}
      WHERE "usedAt" IS NULL AND (
        "sessionId" IN (SELECT id FROM pass_sessions)
        OR "enrolmentLinkId" IN (SELECT id FROM links)
        OR "stepLinkId" IN (SELECT id FROM step_links)
        OR ${usersOwn})
      RETURNING id
    )
    SELECT (SELECT count(*) FROM passes) AS passes,
      (SELECT count(*) FROM pass_sessions) AS "passSessions",
      (SELECT count(*) FROM links) AS "enrolmentLinks",
      (SELECT count(*) FROM step_links) AS "stepLinks",
      (SELECT count(*) FROM approvals) AS approvals,
      (SELECT count(*) FROM challenges) AS challenges`;
  await voidCodeRecovery(tx, scope, input);
  return {
    passes: Number(counts!.passes),
    passSessions: Number(counts!.passSessions),
    enrolmentLinks: Number(counts!.enrolmentLinks),
    stepLinks: Number(counts!.stepLinks),
    approvals: Number(counts!.approvals),
    challenges: Number(counts!.challenges),
  };
}

/**
 * Recovery codes (docs/decisions/037), with every stop: the session a redeemed code opened ends
 * (it could still enrol a passkey), with its open ceremonies. The codes themselves stay: a stop or
 * hold refuses them while it lasts (`decideCodeRecovery`); only `voidRecoveryCodes` voids them.
 */
async function voidCodeRecovery(tx: Tx, scope: VoidScope, input: { reason: string; now: Date }) {
  const sessions = await tx.workforceSession.findMany({
    where:
      "caseId" in scope
        ? { method: "code", caseId: scope.caseId }
        : { method: "code", userId: scope.userId },
    select: { id: true },
  });
  if (sessions.length > 0) {
    const ids = sessions.map((session) => session.id);
    await tx.webAuthnChallenge.updateMany({
      where: { sessionId: { in: ids }, usedAt: null },
      data: { usedAt: input.now },
    });
    await tx.workforceSession.deleteMany({ where: { id: { in: ids } } });
  }
}

/**
 * Voids the person's live set of recovery codes: with revoke-all (an agent's, or a leaver's from
 * SCIM), a leaver or suspension, and "this wasn't me" (someone else may have made them). Returns
 * how many sets were voided (0 or 1).
 */
export async function voidRecoveryCodes(
  tx: Tx,
  input: { userId: string; reason: string; now: Date },
): Promise<number> {
  const voided = await tx.recoveryCodeSet.updateMany({
    where: { userId: input.userId, replacedAt: null, voidedAt: null },
    data: { voidedAt: input.now, voidReason: input.reason.slice(0, 200) },
  });
  return voided.count;
}

/** What the user held that now no longer works, in words for the notice (empty: nothing to tell). */
export function voidedForUser(voided: Voided): string[] {
  const words: string[] = [];
  if (voided.passes + voided.passSessions > 0) words.push("The temporary access pass");
  if (voided.enrolmentLinks > 0)
    words.push(
      words.length ? "the link to set up a new passkey" : "The link to set up a new passkey",
    );
  return words;
}

/** Tells the user at every verified address that what they were sent no longer works. */
export async function tellUserRecoveryStopped(
  tx: Tx,
  input: { userId: string; caseId?: string; voided: Voided },
): Promise<boolean> {
  const words = voidedForUser(input.voided);
  if (words.length === 0) return false;
  const user = await tx.workforceUser.findUniqueOrThrow({
    where: { id: input.userId },
    select: { name: true, emails: { where: { verified: true }, select: { address: true } } },
  });
  const message = recoveryStoppedNotice({ name: user.name, voided: words });
  for (const { address } of user.emails)
    await enqueueMessage(tx, {
      to: address,
      message,
      subjectUserId: input.userId,
      caseId: input.caseId,
    });
  return true;
}

/** Voids a case's (or user's) recovery and tells the user if they held something. */
export async function stopRecovery(
  tx: Tx,
  scope: VoidScope,
  input: { reason: string; now: Date; userId: string; caseId?: string },
) {
  const voided = await voidRecovery(tx, scope, input);
  await tellUserRecoveryStopped(tx, { userId: input.userId, caseId: input.caseId, voided });
  return voided;
}
