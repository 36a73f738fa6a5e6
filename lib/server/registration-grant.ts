import "server-only";
/**
 * What entitles someone to register a passkey: a short session from a redeemed pass, or a
 * one-time enrolment link (sent at once, or after a supervisor's approval). Resolved afresh at
 * each step; inside a transaction under the user's lock, it is the re-check after the lock.
 */
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { recordAudit, type Tx } from "./audit";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";
import { countRefusal } from "./refusal-tally";

export type RegistrationGrant =
  { kind: "session"; token: string } | { kind: "link"; token: string };

export type ResolvedGrant = {
  userId: string;
  via: "tap" | "passkey" | "link";
  /** Which stored challenges this grant may create and consume. */
  challengeScope: Prisma.WebAuthnChallengeWhereInput & {
    sessionId?: string;
    enrolmentLinkId?: string;
  };
  caseId: string | null;
  linkId: string | null;
  /** The pass whose session this is: it yields one passkey, then is used up. */
  tapId: string | null;
  /** The approval an enrolment link executes (a supervisor's decision on this case). */
  approvalId: string | null;
  revokePasskeyIds: string[];
};

export async function resolveGrant(
  tx: Pick<Tx, "workforceSession" | "temporaryAccessPass" | "enrolmentLink">,
  grant: RegistrationGrant,
  now: Date = new Date(),
): Promise<ResolvedGrant | null> {
  const tokenHash = hashToken(grant.token);
  if (grant.kind === "session") {
    const session = await tx.workforceSession.findUnique({
      where: { tokenHash },
      select: { id: true, userId: true, method: true, tapId: true, expiresAt: true },
    });
    if (!session || session.expiresAt <= now) return null;
    // Only a redeemed pass's session may register, once. A passkey sign-in grants no enrolment:
    // adding a passkey from a signed-in account is self-service, which will need a fresh user
    // verification and the tier's policy (docs/decisions/013), not a side door around recovery.
    if (session.method !== "tap") return null;
    const tap = session.tapId
      ? await tx.temporaryAccessPass.findUnique({
          where: { id: session.tapId },
          select: { caseId: true, voidedAt: true },
        })
      : null;
    if (session.method === "tap" && (!tap || tap.voidedAt)) return null;
    return {
      userId: session.userId,
      via: session.method === "tap" ? "tap" : "passkey",
      challengeScope: { purpose: "register", sessionId: session.id },
      caseId: tap?.caseId ?? null,
      linkId: null,
      tapId: session.tapId,
      approvalId: null,
      revokePasskeyIds: [],
    };
  }
  const link = await tx.enrolmentLink.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      userId: true,
      caseId: true,
      usedAt: true,
      voidedAt: true,
      expiresAt: true,
      revokePasskeyIds: true,
      approvalId: true,
    },
  });
  if (!link || link.usedAt || link.voidedAt || link.expiresAt <= now) return null;
  return {
    userId: link.userId,
    via: "link",
    challengeScope: { purpose: "register", enrolmentLinkId: link.id },
    caseId: link.caseId,
    linkId: link.id,
    tapId: null,
    approvalId: link.approvalId,
    revokePasskeyIds: link.revokePasskeyIds,
  };
}

/**
 * Records a registration refused because its grant is gone. A used, voided or expired enrolment
 * link names its person and case, and so does a ceremony begun under a pass session that a stop
 * has since ended (its challenge names the user): audited. An unknown link or a session we
 * cannot tie to anyone names nobody: counted, not audited (decision 002). Never the token.
 */
export async function auditUnusableGrant(
  grant: RegistrationGrant,
  step: "start" | "finish",
  request?: RequestContext,
  challenge?: string,
): Promise<void> {
  const tokenHash = hashToken(grant.token);
  const link =
    grant.kind === "link"
      ? await db.enrolmentLink.findUnique({
          where: { tokenHash },
          select: { userId: true, caseId: true, usedAt: true, voidedAt: true },
        })
      : null;
  const ceremony =
    grant.kind === "session" && challenge
      ? await db.webAuthnChallenge.findUnique({
          where: { challenge },
          select: { purpose: true, userId: true },
        })
      : null;
  const session =
    grant.kind === "session"
      ? await db.workforceSession.findUnique({ where: { tokenHash }, select: { userId: true } })
      : null;
  const subjectUserId =
    link?.userId ?? session?.userId ?? (ceremony?.purpose === "register" ? ceremony.userId : null);
  if (!subjectUserId) {
    await countRefusal("passkey.enrol_refused", "UNKNOWN_GRANT");
    return;
  }
  const state = session
    ? "this session may not enrol"
    : !link
      ? "pass session ended"
      : `enrolment link ${link.usedAt ? "used" : link.voidedAt ? "voided" : "expired"}`;
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "passkey.enrol_refused",
      outcome: "REFUSED",
      reason: "SEQUENCE",
      actor: { type: "ANONYMOUS" },
      subjectUserId,
      caseId: link?.caseId,
      data: {
        detail: `${step}: ${state}`,
      },
      request,
    }),
  );
}
