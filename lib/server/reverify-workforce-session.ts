import "server-only";
/**
 * "Confirm it's you" on an account session signed in with a passkey (docs/decisions/016): a
 * fresh user-verified assertion by one of the session's own user's active passkeys, so that the
 * session may add one passkey within the policy's window (`lifetimes.freshVerificationMinutes`).
 * The challenge is stored server-side, bound to the session and its user, for one use; the
 * assertion is checked by verifyPasskeyAssertion under the user's lock (the lock revocation and
 * every stop path take), so a passkey revoked or a session ended a moment ago fails here.
 */
import {
  generateAuthenticationOptions,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import type { Prisma } from "@/generated/prisma/client";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { freshUntil } from "@/lib/domain/self-service";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, type Tx, auditedTransaction } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import { countRefusal } from "./refusal-tally";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";
import { verifyPasskeyAssertion } from "./verify-passkey-assertion";

const SESSION_ENDED = "Your session has ended. Sign in again with your passkey.";
const NOT_CONFIRMED =
  "That did not confirm it's you. Use one of your own passkeys and let your device check your fingerprint, face or PIN.";

const SESSION_SELECT = {
  id: true,
  userId: true,
  method: true,
  expiresAt: true,
  lastSeenAt: true,
  user: { select: { name: true, status: true, leavingOn: true } },
} satisfies Prisma.WorkforceSessionSelect;
type Session = Prisma.WorkforceSessionGetPayload<{ select: typeof SESSION_SELECT }>;

/** Why this session cannot confirm it's you now, or null when it can. */
function unusable(session: Session, now: Date): string | null {
  if (session.expiresAt <= now) return "session expired";
  if (now.getTime() - session.lastSeenAt.getTime() > idleMs()) return "session idle too long";
  if (session.method !== "passkey") return "not a passkey session";
  if (isLeaver(session.user, now))
    return `the person is ${session.user.status === "SUSPENDED" ? "suspended" : "a leaver"}`;
  return null;
}

const idleMs = () => ACTIVE_POLICY.lifetimes.workforceIdleMinutes * 60_000;

async function auditRefusal(
  tx: Tx,
  session: { userId: string; user: { name: string } },
  detail: string,
  request?: RequestContext,
) {
  await recordAudit(tx, {
    action: "workforce.reverify_refused",
    outcome: "REFUSED",
    reason: "UNAUTHENTICATED",
    actor: { type: "WORKFORCE_USER", id: session.userId, name: session.user.name },
    subjectUserId: session.userId,
    data: { detail: detail.slice(0, 300) },
    request,
  });
}

/**
 * Authentication options for "Confirm it's you": only the session user's active passkeys are
 * allowed, user verification is required, and the challenge is bound to this session.
 */
export async function startWorkforceReverification(input: {
  token: string;
  request?: RequestContext;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = new Date();
  const session = await db.workforceSession.findUnique({
    where: { tokenHash: hashToken(input.token) },
    select: SESSION_SELECT,
  });
  if (!session) {
    // Names nobody we hold: counted, not audited (decision 002).
    await countRefusal("workforce.reverify_refused", "UNKNOWN_SESSION");
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  }
  const why = unusable(session, now);
  if (why) {
    await auditedTransaction(db, (tx) => auditRefusal(tx, session, `start: ${why}`, input.request));
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  }
  const passkeys = await db.passkey.findMany({
    where: { userId: session.userId, status: "ACTIVE" },
    select: { credentialId: true, transports: true },
  });
  if (passkeys.length === 0) {
    await auditedTransaction(db, (tx) =>
      auditRefusal(tx, session, "start: no active passkey", input.request),
    );
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  }
  const options = await generateAuthenticationOptions({
    rpID: RELYING_PARTY.id,
    allowCredentials: passkeys.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports as AuthenticatorTransport[],
    })),
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "reverify",
      userId: session.userId,
      sessionId: session.id,
      expiresAt: new Date(now.getTime() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

/**
 * Checks the assertion under the user's lock: the challenge of this session, consumed once; an
 * active passkey of the session's own user; user verification. Then the session is verified now,
 * audited, and may add one passkey until the returned time.
 */
export async function finishWorkforceReverification(input: {
  token: string;
  response: AuthenticationResponseJSON;
  request?: RequestContext;
}): Promise<{ freshUntil: Date }> {
  const head = await db.workforceSession.findUnique({
    where: { tokenHash: hashToken(input.token) },
    select: { id: true, userId: true, user: { select: { name: true } } },
  });
  if (!head) {
    await countRefusal("workforce.reverify_refused", "UNKNOWN_SESSION");
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  }
  return runUserWork(
    {
      userId: head.userId,
      actor: {
        kind: "public",
        audit: { type: "WORKFORCE_USER", id: head.userId, name: head.user.name },
      },
      attempted: "confirm it's you",
      refusalAction: "workforce.reverify_refused",
      request: input.request,
    },
    async ({ tx, now }) => {
      // The challenge is consumed first, whatever happens next: it never works twice.
      const assertion = await verifyPasskeyAssertion(tx, {
        response: input.response,
        challengeScope: { purpose: "reverify", sessionId: head.id, userId: head.userId },
        userId: head.userId,
        requireUserHandle: false,
      });
      const session = await tx.workforceSession.findUnique({
        where: { id: head.id },
        select: SESSION_SELECT,
      });
      const why = session ? unusable(session, now) : "session ended";
      if (!session || why) {
        await auditRefusal(tx, head, why ?? "session ended", input.request);
        return { ok: false, code: "UNAUTHENTICATED", message: SESSION_ENDED };
      }
      if (!assertion.ok) {
        await auditRefusal(tx, session, assertion.detail, input.request);
        return { ok: false, code: "UNAUTHENTICATED", message: NOT_CONFIRMED };
      }
      await tx.workforceSession.update({ where: { id: session.id }, data: { verifiedAt: now } });
      const model = assertion.passkey.modelName ?? "Unknown authenticator";
      await recordAudit(tx, {
        action: "workforce.reverified",
        outcome: "ALLOWED",
        actor: { type: "WORKFORCE_USER", id: session.userId, name: session.user.name },
        subjectUserId: session.userId,
        target: { type: "passkey", id: assertion.passkey.id },
        data: { model },
        request: input.request,
      });
      return { ok: true, value: { freshUntil: freshUntil(ACTIVE_POLICY, now)! } };
    },
  );
}

type AuthenticatorTransport =
  "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
