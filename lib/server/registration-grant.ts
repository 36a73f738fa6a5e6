import "server-only";
/**
 * What entitles someone to register a passkey: a short session from a redeemed pass, a one-time
 * enrolment link (sent at once, or after a supervisor's approval), or an account session signed
 * in with a passkey and freshly verified (docs/decisions/016). Resolved afresh at each step;
 * inside a transaction under the user's lock, it is the re-check after the lock.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { decideSelfServiceEnrolment } from "@/lib/domain/self-service";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, type Tx, auditedTransaction } from "./audit";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";
import { countRefusal } from "./refusal-tally";

export type RegistrationGrant =
  { kind: "session"; token: string } | { kind: "link"; token: string };

export type ResolvedGrant = {
  userId: string;
  via: "tap" | "passkey" | "link" | "code";
  /** Which stored challenges this grant may create and consume. */
  challengeScope: Prisma.WebAuthnChallengeWhereInput & {
    sessionId?: string;
    enrolmentLinkId?: string;
  };
  caseId: string | null;
  linkId: string | null;
  /** The account session (a pass's or a passkey's) that registers, if it is one. */
  sessionId: string | null;
  /** The pass whose session this is: it yields one passkey, then is used up. */
  tapId: string | null;
  /** The approval an enrolment link executes (a supervisor's decision on this case). */
  approvalId: string | null;
  revokePasskeyIds: string[];
};

/**
 * A live grant that may not register now: a passkey session whose verification is not fresh,
 * or whose person is on hold, has left or is suspended. It names its person, so its refusal is
 * audited; its message says what to do. (No `userId` here, so it cannot pass for a grant.)
 */
export type RefusedGrant = { refused: Refusal; subjectUserId: string };

type GrantTx = Pick<
  Tx,
  | "workforceSession"
  | "temporaryAccessPass"
  | "enrolmentLink"
  | "workforceUser"
  | "recoveryHold"
  | "workforceEmail"
>;

/** An account session ends at its absolute lifetime and after the policy's idle limit. */
function sessionLive(session: { expiresAt: Date; lastSeenAt: Date }, now: Date): boolean {
  const idleMs = ACTIVE_POLICY.lifetimes.workforceIdleMinutes * 60_000;
  return session.expiresAt > now && now.getTime() - session.lastSeenAt.getTime() <= idleMs;
}

/**
 * The grant behind a token: null when there is none any more (unknown, expired, idle, used,
 * voided), a RefusedGrant when a passkey session may not register now, else the grant.
 */
export async function resolveGrant(
  tx: GrantTx,
  grant: RegistrationGrant,
  now: Date = new Date(),
): Promise<ResolvedGrant | RefusedGrant | null> {
  const tokenHash = hashToken(grant.token);
  if (grant.kind === "session") {
    const session = await tx.workforceSession.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        userId: true,
        method: true,
        tapId: true,
        expiresAt: true,
        lastSeenAt: true,
        verifiedAt: true,
        caseId: true,
      },
    });
    if (!session || !sessionLive(session, now)) return null;
    const common = {
      userId: session.userId,
      challengeScope: { purpose: "register", sessionId: session.id },
      linkId: null,
      sessionId: session.id,
      approvalId: null,
      revokePasskeyIds: [],
    };
    if (session.method === "passkey") {
      // Signed in with a passkey: one more passkey per fresh user verification, never while the
      // person is on hold, has left or is suspended (docs/decisions/016).
      const [user, holds, verifiedAddresses] = await Promise.all([
        tx.workforceUser.findUniqueOrThrow({
          where: { id: session.userId },
          select: { status: true, leavingOn: true },
        }),
        tx.recoveryHold.count({ where: { userId: session.userId, clearedAt: null } }),
        tx.workforceEmail.count({ where: { userId: session.userId, verified: true } }),
      ]);
      const decision = decideSelfServiceEnrolment(
        ACTIVE_POLICY,
        {
          verifiedAt: session.verifiedAt,
          onHold: holds > 0,
          leaver: isLeaver(user, now),
          verifiedAddresses,
        },
        now,
      );
      if (!decision.ok) return { refused: decision, subjectUserId: session.userId };
      return { ...common, via: "passkey", caseId: null, tapId: null };
    }
    // A redeemed recovery code's session: one passkey, for its self-service case (decision 037).
    if (session.method === "code") {
      if (!session.caseId) return null;
      return { ...common, via: "code", caseId: session.caseId, tapId: null };
    }
    // Otherwise only a redeemed pass's session may register, once.
    if (session.method !== "tap" || !session.tapId) return null;
    const tap = await tx.temporaryAccessPass.findUnique({
      where: { id: session.tapId },
      select: { caseId: true, voidedAt: true },
    });
    if (!tap || tap.voidedAt) return null;
    return { ...common, via: "tap", caseId: tap.caseId, tapId: session.tapId };
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
    sessionId: null,
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
    ? "session ended, or not one that may enrol"
    : !link
      ? "pass session ended"
      : `enrolment link ${link.usedAt ? "used" : link.voidedAt ? "voided" : "expired"}`;
  await auditedTransaction(db, (tx) =>
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

/**
 * Records a registration refused for a live passkey session that may not register now (not
 * freshly verified, on hold, a leaver): it names its person, who is the actor (signed in with
 * their passkey). Never the token.
 */
export async function auditRefusedGrant(
  grant: RefusedGrant,
  step: "start" | "finish",
  request?: RequestContext,
): Promise<void> {
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: grant.subjectUserId },
    select: { id: true, name: true },
  });
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "passkey.enrol_refused",
      outcome: "REFUSED",
      reason: grant.refused.code,
      actor: { type: "WORKFORCE_USER", id: user.id, name: user.name },
      subjectUserId: user.id,
      data: { detail: `${step}: ${grant.refused.message}`.slice(0, 300) },
      request,
    }),
  );
}
