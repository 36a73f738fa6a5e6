import "server-only";
import { verifyRegistrationResponse, type RegistrationResponseJSON } from "@simplewebauthn/server";
import { Prisma } from "@/generated/prisma/client";
import { modelNameForAaguid } from "@/lib/domain/authenticator-models";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { passkeyEnrolledNotice } from "@/lib/domain/notifications";
import type { CaseReason } from "@/lib/domain/recovery-policy";
import type { RevocationReason } from "@/lib/domain/revocation";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import { resolveGrant, type RegistrationGrant } from "./registration-grant";
import { consumeChallenge, RELYING_PARTY } from "./relying-party";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";

const FAILED = "The new passkey could not be registered. Try again from this page.";
const EXPIRED = "This has expired or was already used. Call the service desk if you still need a new passkey.";

/** The lost passkeys an enrolment link replaces are revoked for the case's reason. */
const REVOCATION_FOR: Record<CaseReason, RevocationReason> = {
  LOST_DEVICE: "LOST",
  REPLACED_DEVICE: "LOST",
  LOCKED_OUT: "LOST",
  STOLEN_DEVICE: "STOLEN",
  SUSPECTED_COMPROMISE: "SUSPECTED_COMPROMISE",
};

/**
 * Completes a passkey registration for the holder of a grant (pass session or enrolment link).
 * The challenge is consumed with one guarded UPDATE (bound to the grant, unexpired, unused), the
 * response is verified against the configured origin and RP ID with user verification required,
 * and fails closed. Then, under the user's row lock (the lock revocation takes) the grant is
 * re-checked, the passkey is written with its model, AAGUID, backup state and transports, a link
 * is used up and the passkeys it replaces are revoked, the case moves to REENROLLED, and the
 * user is told at every address. A credential ID that exists for anyone is refused.
 */
export async function finishPasskeyRegistration(input: {
  grant: RegistrationGrant;
  response: RegistrationResponseJSON;
  request?: RequestContext;
}): Promise<{ model: string }> {
  const grant = await db.$transaction((tx) => resolveGrant(tx, input.grant));
  if (!grant) throw new DomainError("UNAUTHENTICATED", EXPIRED);
  const user = await db.workforceUser.findUniqueOrThrow({ where: { id: grant.userId }, select: { id: true, name: true } });
  const actor = { type: "WORKFORCE_USER" as const, id: user.id, name: user.name };
  const refuse = async (detail: string, code: "SEQUENCE" | "INVALID_INPUT" | "CONFLICT" = "INVALID_INPUT") => {
    await db.$transaction((tx) =>
      recordAudit(tx, { action: "passkey.enrol_refused", outcome: "REFUSED", reason: code, actor, subjectUserId: user.id, caseId: grant.caseId ?? undefined, data: { detail }, request: input.request }),
    );
    return new DomainError(code, code === "SEQUENCE" ? EXPIRED : FAILED);
  };

  const challenge = await consumeChallenge(db, input.response.response.clientDataJSON, grant.challengeScope);
  if (!challenge) throw await refuse("challenge unknown, used, expired or for another grant", "SEQUENCE");

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: RELYING_PARTY.origin,
      expectedRPID: RELYING_PARTY.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw await refuse(`verification failed: ${String((error as Error).message).slice(0, 200)}`);
  }
  if (!verification.verified) throw await refuse("verification failed");
  const info = verification.registrationInfo;
  const model = modelNameForAaguid(info.aaguid) ?? "Unknown authenticator";

  try {
    await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${user.id}::uuid FOR UPDATE`;
      // Re-checked under the lock: a revoke-all that won the race voided the link or ended the session.
      const live = await resolveGrant(tx, input.grant);
      if (!live) throw new DomainError("SEQUENCE", "grant voided or expired before the registration completed");
      const fresh = await tx.workforceUser.findUniqueOrThrow({ where: { id: user.id }, select: { status: true, leavingOn: true, emails: { where: { verified: true }, select: { address: true } } } });
      if (isLeaver(fresh, new Date())) throw new DomainError("LEAVER", "the user has left");
      const now = new Date();
      await tx.passkey.create({
        data: {
          userId: user.id,
          credentialId: info.credential.id,
          publicKey: new Uint8Array(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? [],
          aaguid: info.aaguid,
          modelName: model,
          backedUp: info.credentialBackedUp,
        },
      });
      let revokedPasskeys = 0;
      const kase = live.caseId ? await tx.recoveryCase.findUnique({ where: { id: live.caseId }, select: { id: true, status: true, reason: true } }) : null;
      if (live.linkId) {
        await tx.enrolmentLink.update({ where: { id: live.linkId }, data: { usedAt: now } });
        revokedPasskeys = (
          await tx.passkey.updateMany({
            where: { id: { in: live.revokePasskeyIds }, userId: user.id, status: "ACTIVE" },
            data: { status: "REVOKED", revokedAt: now, revokedReason: kase ? REVOCATION_FOR[kase.reason] : "LOST" },
          })
        ).count;
      }
      if (kase) {
        const move = nextStatus(kase.status, "REENROL");
        if (move.ok) await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
      }
      await recordAudit(tx, {
        action: "passkey.enrolled",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        caseId: kase?.id,
        target: { type: "passkey", id: info.credential.id.slice(0, 64) },
        data: { model, aaguid: info.aaguid, backedUp: info.credentialBackedUp, transports: info.credential.transports ?? [], via: live.via, ...(live.linkId ? { revokedPasskeys } : {}) },
        request: input.request,
      });
      if (kase) {
        for (const { address } of fresh.emails) {
          const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: user.id });
          await enqueueMessage(tx, { to: address, message: passkeyEnrolledNotice({ name: user.name, model, reportUrl }), subjectUserId: user.id, caseId: kase.id });
        }
      }
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw await refuse("credential already registered", "CONFLICT");
    if (error instanceof DomainError) throw await refuse(error.message.replace(/^\w+: /, ""), "SEQUENCE");
    throw error;
  }
  return { model };
}
