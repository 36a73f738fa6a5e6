import "server-only";
/**
 * "This wasn't me" about a change made on /account (docs/decisions/036): a passkey named or
 * removed, a device reported lost, or everyone signed out, by someone holding a session on the
 * person's account who passed a user verification. Under the person's lock (user → the link):
 * every account session of the person ends, whatever recovery had issued them is voided, their
 * account is put on hold (no case opens, nothing is issued or added until a supervisor has
 * reviewed it) and security is alerted. Nothing is restored: a removed passkey stays removed
 * (whoever removed it may hold another of the person's passkeys; the review decides), and the
 * person recovers through the desk. Audited; the report is made once, so every link of the same
 * notice (one per address) is used up with it.
 */
import { ACCOUNT_CHANGE_LABELS, isAccountChange } from "@/lib/domain/account-changes";
import { securityAlert } from "@/lib/domain/notifications";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { sessionsEndedByVoiding, voidRecovery } from "./cases/void-recovery";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import { INVALID_REPORT_LINK } from "./repudiation-link";

/** Called by repudiateRecovery once it has found an unused, unexpired link about an account change. */
export async function repudiateAccountChange(input: {
  link: { id: string; userId: string };
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
        select: { usedAt: true, expiresAt: true, change: true, passkeyId: true, createdAt: true },
      });
      if (live.usedAt || live.expiresAt <= now || !isAccountChange(live.change))
        return {
          ...(await refuse({
            ok: false,
            code: "SEQUENCE",
            message: "link used or expired while waiting",
          })),
          message: INVALID_REPORT_LINK,
        };
      const change = live.change;
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: owner.id },
        select: { id: true, name: true, employeeId: true },
      });
      const voided = await voidRecovery(
        tx,
        { userId: user.id },
        // Codes made by whoever made the change would outlive the hold (decision 037).
        { reason: "reported by the user as not them", now, codes: true },
      );
      const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
      // The other addresses' links of the same notice: written in one transaction, so one instant.
      await tx.repudiationLink.updateMany({
        where: {
          userId: user.id,
          change,
          passkeyId: live.passkeyId,
          createdAt: live.createdAt,
          usedAt: null,
        },
        data: { usedAt: now },
      });
      await tx.recoveryHold.create({
        data: {
          userId: user.id,
          reason: `Reported a change to their account (${ACCOUNT_CHANGE_LABELS[change].toLowerCase()}) as not them`,
        },
      });
      await recordAudit(tx, {
        action: "account.change_repudiated",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        target: live.passkeyId
          ? { type: "passkey", id: live.passkeyId }
          : { type: "user", id: user.id },
        data: {
          change,
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
        summary: `${user.name} says a change to their account was not them`,
        detail:
          `${user.name} (${user.employeeId}) reported a change made on their account page (${ACCOUNT_CHANGE_LABELS[change].toLowerCase()}, ${live.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC) as not them. ` +
          `${sessions.count + sessionsEndedByVoiding(voided)} session(s) ended, ${voided.passes} pass(es) and ${voided.enrolmentLinks} enrolment link(s) voided; their recovery is on hold. ` +
          "Whoever made the change passed a user verification or held a signed-in session: review the person's passkeys.",
        baseUrl: publicUrl,
        userId: user.id,
      });
      for (const { email } of security)
        await enqueueMessage(tx, { to: email, message: alert, subjectUserId: user.id });
      return { ok: true, value: undefined };
    },
  );
}
