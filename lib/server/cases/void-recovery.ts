import "server-only";
/**
 * Stopping stops: everything a recovery issued that could still be used is voided in the
 * transaction of the decision that stops it. Called by every stop path (closing a case, a red
 * flag, a failed step or a manager's denial, a supervisor's denial, "this wasn't me", the user
 * becoming a leaver or suspended, revoke-all), always under the user's lock taken by the unit
 * of work, so nothing can be redeemed or registered between the decision and the voiding.
 */
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
 * approvals; open WebAuthn ceremonies of any of these.
 */
export async function voidRecovery(
  tx: Tx,
  scope: VoidScope,
  input: { reason: string; now: Date },
): Promise<Voided> {
  const { reason, now } = input;
  const byCase = "caseId" in scope;
  const where = byCase ? { caseId: scope.caseId } : { userId: scope.userId };
  const caseWhere = byCase ? { caseId: scope.caseId } : { case: { userId: scope.userId } };

  const passes = await tx.temporaryAccessPass.updateMany({
    where: { ...where, usedAt: null, voidedAt: null },
    data: { voidedAt: now, voidReason: reason },
  });
  // A pass already redeemed left a short session that may still enrol: end it too.
  const passIds = (await tx.temporaryAccessPass.findMany({ where, select: { id: true } })).map(
    (pass) => pass.id,
  );
  const sessions = await tx.workforceSession.findMany({
    where: { method: "tap", tapId: { in: passIds } },
    select: { id: true },
  });
  const sessionIds = sessions.map((session) => session.id);
  const passSessions = await tx.workforceSession.deleteMany({ where: { id: { in: sessionIds } } });

  const openLinks = await tx.enrolmentLink.findMany({
    where: { ...where, usedAt: null, voidedAt: null },
    select: { id: true },
  });
  const enrolmentLinks = await tx.enrolmentLink.updateMany({
    where: { id: { in: openLinks.map((link) => link.id) } },
    data: { voidedAt: now, voidReason: reason },
  });
  const openStepLinks = await tx.stepLink.findMany({
    where: { ...caseWhere, usedAt: null, voidedAt: null },
    select: { id: true },
  });
  const stepLinks = await tx.stepLink.updateMany({
    where: { id: { in: openStepLinks.map((link) => link.id) } },
    data: { voidedAt: now, voidReason: reason },
  });
  const approvals = await tx.approval.updateMany({
    where: { ...caseWhere, status: "PENDING" },
    data: { status: "VOIDED", reason: `voided: ${reason}`.slice(0, 500) },
  });

  const challenges = await tx.webAuthnChallenge.updateMany({
    where: {
      usedAt: null,
      OR: [
        { sessionId: { in: sessionIds } },
        { enrolmentLinkId: { in: openLinks.map((link) => link.id) } },
        { stepLinkId: { in: openStepLinks.map((link) => link.id) } },
        ...(byCase ? [] : [{ userId: scope.userId, purpose: { in: ["register", "proof"] } }]),
      ],
    },
    data: { usedAt: now },
  });
  return {
    passes: passes.count,
    passSessions: passSessions.count,
    enrolmentLinks: enrolmentLinks.count,
    stepLinks: stepLinks.count,
    approvals: approvals.count,
    challenges: challenges.count,
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
