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
import { enqueueMessages } from "../enqueue-message";
import { utcTimestamp } from "../sql-time";
import { txSql } from "../tx-sql";

export type VoidScope = { caseId: string } | { userId: string };

export type Voided = {
  passes: number;
  passSessions: number;
  /** Sessions a redeemed recovery code opened (docs/decisions/037). */
  codeSessions: number;
  enrolmentLinks: number;
  stepLinks: number;
  approvals: number;
  challenges: number;
};

/**
 * The sessions voiding ended (a redeemed pass's, a recovery code's). Every stop records, as its
 * `endedSessions`, these plus the sessions it ended itself: every session of the person it ended.
 */
export function sessionsEndedByVoiding(voided: Voided): number {
  return voided.passSessions + voided.codeSessions;
}

export const NOTHING_VOIDED: Voided = {
  passes: 0,
  passSessions: 0,
  codeSessions: 0,
  enrolmentLinks: 0,
  stepLinks: 0,
  approvals: 0,
  challenges: 0,
};

/**
 * Voids, for one case or for every case of a user: unused passes; the sessions that redeemed
 * passes or recovery codes opened (they could still enrol a passkey); enrolment links; step
 * links; pending approvals; open WebAuthn ceremonies of any of these. With `codes` (a whole
 * person's stop: revoke-all, a leaver or suspension, "this wasn't me"; user scope only) the
 * person's live set of recovery codes is voided too (docs/decisions/037). One statement
 * (data-modifying CTEs on one snapshot, under the user's lock the caller holds): every stop path
 * makes one round trip for it rather than fourteen, so the user's row is locked for less time and
 * the console spends less of its CPU per stop (docs/decisions/044).
 */
export async function voidRecovery(
  tx: Tx,
  scope: VoidScope,
  input: { reason: string; now: Date; codes?: boolean },
): Promise<Voided> {
  if (input.codes && "caseId" in scope)
    throw new Error("voidRecovery: recovery codes belong to a person; void them with a user scope");
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
  // Recovery codes (docs/decisions/037): the codes themselves stay (a stop or hold refuses them
  // while it lasts, decideCodeRecovery) unless `codes`; the session a redeemed code opened ends.
  const codeSets =
    input.codes && !byCase
      ? Prisma.sql`UPDATE "RecoveryCodeSet" SET "voidedAt" = ${utcTimestamp(input.now)},
          "voidReason" = ${input.reason.slice(0, 200)}
        WHERE "userId" = ${scope.userId}::uuid AND "replacedAt" IS NULL AND "voidedAt" IS NULL
        RETURNING id`
      : Prisma.sql`SELECT NULL::uuid AS id WHERE false`;
  const now = utcTimestamp(input.now);
  const reason = input.reason;
  const [counts] = await txSql(tx).query<Record<keyof Voided, bigint>>`/* prepared */
    WITH passes AS (
      UPDATE "TemporaryAccessPass" SET "voidedAt" = ${now}, "voidReason" = ${reason}
      WHERE ${scoped} AND "usedAt" IS NULL AND "voidedAt" IS NULL RETURNING id
    ), pass_sessions AS (
      -- A pass already redeemed left a short session that may still enrol: end it too.
      DELETE FROM "WorkforceSession" WHERE method = 'tap'
        AND "tapId" IN (SELECT id FROM "TemporaryAccessPass" WHERE ${scoped}) RETURNING id
    ), code_sessions AS (
      DELETE FROM "WorkforceSession" WHERE method = 'code' AND ${scoped} RETURNING id
    ), code_sets AS (
      ${codeSets}
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
        OR "sessionId" IN (SELECT id FROM code_sessions)
        OR "enrolmentLinkId" IN (SELECT id FROM links)
        OR "stepLinkId" IN (SELECT id FROM step_links)
        OR ${usersOwn})
      RETURNING id
    )
    SELECT (SELECT count(*) FROM passes) AS passes,
      (SELECT count(*) FROM pass_sessions) AS "passSessions",
      (SELECT count(*) FROM code_sessions) AS "codeSessions",
      (SELECT count(*) FROM links) AS "enrolmentLinks",
      (SELECT count(*) FROM step_links) AS "stepLinks",
      (SELECT count(*) FROM approvals) AS approvals,
      (SELECT count(*) FROM challenges) AS challenges`;
  return {
    passes: Number(counts!.passes),
    passSessions: Number(counts!.passSessions),
    codeSessions: Number(counts!.codeSessions),
    enrolmentLinks: Number(counts!.enrolmentLinks),
    stepLinks: Number(counts!.stepLinks),
    approvals: Number(counts!.approvals),
    challenges: Number(counts!.challenges),
  };
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
  await enqueueMessages(tx, {
    to: user.emails.map((email) => email.address),
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
