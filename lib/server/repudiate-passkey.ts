import "server-only";
/**
 * "This wasn't me" about a passkey added while signed in with another (docs/decisions/016): no
 * case and no agent were involved, so whoever added it held a session on the person's account.
 * Under the person's lock (user → the link; the unit of work's order): that passkey is revoked
 * (suspected compromise), every account session of the person ends, whatever recovery had issued
 * them is voided, their recovery is put on hold until a supervisor has reviewed it, and security
 * is alerted. Audited; the report is made once, so every link about that passkey is used up.
 */
import { securityAlert } from "@/lib/domain/notifications";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { sessionsEndedByVoiding, voidRecovery } from "./cases/void-recovery";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import { INVALID_REPORT_LINK } from "./repudiation-link";

const REASON = "reported by the user as not them";

/** Called by repudiateRecovery once it has found an unused, unexpired link with no case. */
export async function repudiatePasskey(input: {
  link: { id: string; userId: string; passkeyId: string | null };
  request?: RequestContext;
}): Promise<void> {
  const { link } = input;
  const owner = await db.workforceUser.findUniqueOrThrow({
    where: { id: link.userId },
    select: { id: true, name: true },
  });
  await runUserWork(
    {
      userId: owner.id,
      actor: { kind: "public", audit: { type: "WORKFORCE_USER", id: owner.id, name: owner.name } },
      attempted: "this wasn't me",
      refusalAction: "case.repudiation_refused",
      request: input.request,
    },
    async ({ tx, now, actor, refuse, lockRows }) => {
      await lockRows([{ table: "RepudiationLink", id: link.id }]);
      const live = await tx.repudiationLink.findUniqueOrThrow({
        where: { id: link.id },
        select: { usedAt: true, expiresAt: true, passkeyId: true },
      });
      if (live.usedAt || live.expiresAt <= now || !live.passkeyId)
        return {
          ...(await refuse({
            ok: false,
            code: "SEQUENCE",
            message: live.passkeyId
              ? "link used or expired while waiting"
              : "link about neither a case nor a passkey",
          })),
          message: INVALID_REPORT_LINK,
        };
      const passkeyId = live.passkeyId;
      const [user, passkey] = await Promise.all([
        tx.workforceUser.findUniqueOrThrow({
          where: { id: owner.id },
          select: { id: true, name: true, employeeId: true },
        }),
        tx.passkey.findUniqueOrThrow({
          where: { id: passkeyId },
          select: { modelName: true, createdAt: true },
        }),
      ]);
      // The reported passkey, and every passkey set up since (whoever added it could have used
      // the first to add more): the person recovers through the desk once the hold is reviewed.
      const revoked = await tx.passkey.updateMany({
        where: {
          userId: user.id,
          status: "ACTIVE",
          OR: [{ id: passkeyId }, { createdAt: { gte: passkey.createdAt } }],
        },
        data: { status: "REVOKED", revokedAt: now, revokedReason: "SUSPECTED_COMPROMISE" },
      });
      // Someone else may be at work: nothing recovery issued stays usable, and every session ends.
      // Whoever added the passkey may have made recovery codes with it (docs/decisions/037).
      const voided = await voidRecovery(
        tx,
        { userId: user.id },
        { reason: REASON, now, codes: true },
      );
      const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
      // One report per passkey: the links in the other addresses' notices are used up with it.
      await tx.repudiationLink.updateMany({
        where: { passkeyId, usedAt: null },
        data: { usedAt: now },
      });
      await tx.recoveryHold.create({
        data: {
          userId: user.id,
          reason: "Reported a passkey added to their account as not them",
        },
      });
      const model = passkey.modelName ?? "Unknown authenticator";
      await recordAudit(tx, {
        action: "passkey.repudiated",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        target: { type: "passkey", id: passkeyId },
        data: {
          model,
          revokedPasskeys: revoked.count,
          endedSessions: sessions.count + sessionsEndedByVoiding(voided),
          voided,
        },
        request: input.request,
      });
      const security = await tx.staff.findMany({
        where: { role: "SECURITY", active: true },
        select: { email: true },
      });
      const alert = securityAlert({
        summary: `${user.name} says a passkey added to their account was not them`,
        detail:
          `${user.name} (${user.employeeId}) reported the passkey ${model}, added on ${passkey.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC from a session signed in with one of their passkeys, as not them. ` +
          `${revoked.count} passkey(s) revoked, ${sessions.count + sessionsEndedByVoiding(voided)} session(s) ended, ${voided.passes} pass(es) and ${voided.enrolmentLinks} enrolment link(s) voided; their recovery is on hold. ` +
          "The passkey that signed that session in may be compromised: review the person's passkeys.",
        baseUrl: publicUrl,
        userId: user.id,
      });
      for (const { email } of security)
        await enqueueMessage(tx, { to: email, message: alert, subjectUserId: user.id });
      return { ok: true, value: undefined };
    },
  );
}
