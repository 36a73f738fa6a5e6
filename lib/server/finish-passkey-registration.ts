import "server-only";
import { verifyRegistrationResponse, type RegistrationResponseJSON } from "@simplewebauthn/server";
import { modelNameForAaguid } from "@/lib/domain/authenticator-models";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { passkeyEnrolledNotice } from "@/lib/domain/notifications";
import { isLeaver } from "@/lib/domain/workforce";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import { challengeFromClientData, RELYING_PARTY } from "./relying-party";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { resumeWorkforceSession } from "./resume-workforce-session";

const FAILED = "The new passkey could not be registered. Try again from this page.";

/**
 * Completes a passkey registration. The challenge is consumed with one guarded UPDATE (bound to
 * this session, unexpired, unused), the response is verified against the configured origin
 * and RP ID with user verification required, and fails closed. The passkey is written with its
 * model, AAGUID, backup state and transports under the user's row lock; a credential ID that
 * exists for anyone is refused. The case that issued the pass moves to REENROLLED and the user
 * is told at every address. Every refusal is audited.
 */
export async function finishPasskeyRegistration(input: {
  sessionToken: string;
  response: RegistrationResponseJSON;
  request?: RequestContext;
}): Promise<{ model: string }> {
  const session = await resumeWorkforceSession(input.sessionToken);
  if (!session) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Use your pass again, or call the service desk.");
  const user = session.user;
  const actor = { type: "WORKFORCE_USER" as const, id: user.id, name: user.name };
  const refuse = async (detail: string, code: "SEQUENCE" | "INVALID_INPUT" | "CONFLICT" = "INVALID_INPUT") => {
    await db.$transaction((tx) =>
      recordAudit(tx, { action: "passkey.enrol_refused", outcome: "REFUSED", reason: code, actor, subjectUserId: user.id, data: { detail }, request: input.request }),
    );
    return new DomainError(code, FAILED);
  };

  const challenge = challengeFromClientData(input.response.response.clientDataJSON);
  const consumed = challenge
    ? await db.webAuthnChallenge.updateMany({
        where: { challenge, purpose: "register", sessionId: session.id, usedAt: null, expiresAt: { gt: new Date() } },
        data: { usedAt: new Date() },
      })
    : { count: 0 };
  if (consumed.count !== 1) throw await refuse("challenge unknown, used, expired or from another session", "SEQUENCE");

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge!,
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
      const fresh = await tx.workforceUser.findUniqueOrThrow({ where: { id: user.id }, select: { status: true, leavingOn: true, emails: { where: { verified: true }, select: { address: true } } } });
      if (isLeaver(fresh, new Date())) throw new DomainError("LEAVER", FAILED);
      const live = await tx.workforceSession.findUnique({ where: { id: session.id }, select: { expiresAt: true } });
      if (!live || live.expiresAt <= new Date()) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Use your pass again, or call the service desk.");
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
      const tap = session.tapId ? await tx.temporaryAccessPass.findUnique({ where: { id: session.tapId }, select: { caseId: true } }) : null;
      if (tap) {
        const kase = await tx.recoveryCase.findUniqueOrThrow({ where: { id: tap.caseId }, select: { status: true } });
        const move = nextStatus(kase.status, "REENROL");
        if (move.ok) await tx.recoveryCase.update({ where: { id: tap.caseId }, data: { status: move.status } });
      }
      await recordAudit(tx, {
        action: "passkey.enrolled",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        caseId: tap?.caseId,
        target: { type: "passkey", id: info.credential.id.slice(0, 64) },
        data: { model, aaguid: info.aaguid, backedUp: info.credentialBackedUp, transports: info.credential.transports ?? [], via: session.method === "tap" ? "tap" : "passkey" },
        request: input.request,
      });
      if (tap) {
        for (const { address } of fresh.emails) {
          const reportUrl = await newRepudiationUrl(tx, { caseId: tap.caseId, userId: user.id });
          await enqueueMessage(tx, { to: address, message: passkeyEnrolledNotice({ name: user.name, model, reportUrl }), subjectUserId: user.id, caseId: tap.caseId });
        }
      }
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw await refuse("credential already registered", "CONFLICT");
    if (error instanceof DomainError) throw await refuse(error.code.toLowerCase(), "SEQUENCE");
    throw error;
  }
  return { model };
}
