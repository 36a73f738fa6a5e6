import "server-only";
import { caseOpenedNotice, securityAlert } from "@/lib/domain/notifications";
import { decideOpenCase } from "@/lib/domain/recovery-decisions";
import {
  ACTIVE_POLICY,
  CASE_REASON_LABELS,
  scriptFor,
  type CaseChannel,
  type CaseReason,
} from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Opens a recovery case for a caller: the policy picks the script for the user's tier and the
 * reason, and the case belongs to the agent's team. The user row is locked so that concurrent
 * calls count each other for the repeat-call throttle; a leaver, a user on hold after a denial,
 * or a throttled user is refused (and security alerted when throttled).
 * The user is told at every address of record, with a "this wasn't me" link.
 */
export async function openCase(input: {
  actor: CurrentStaff;
  userId: string;
  reason: CaseReason;
  channel: CaseChannel;
  callerClaim: string;
  /**
   * The person's open cases the agent was shown and chose to open another case beside (the
   * user page's warning). Given, the case opens only if those are exactly the open cases now:
   * a case another agent opened meanwhile is refused with its name, so no agent opens a second
   * case without being told. Left out by tools and tests that do not show a page.
   */
  acknowledgedOpenCases?: readonly string[];
  request?: RequestContext;
  now?: Date;
}): Promise<{ caseId: string }> {
  const policy = ACTIVE_POLICY;
  return runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "open",
      request: input.request,
      now: input.now,
    },
    async ({ tx, now, actor, refuse }) => {
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: input.userId },
        select: {
          id: true,
          name: true,
          riskTier: true,
          status: true,
          leavingOn: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      const since = new Date(now.getTime() - policy.repeatCalls.windowHours * 60 * 60 * 1000);
      const casesInWindow = await tx.recoveryCase.count({
        where: { userId: user.id, createdAt: { gt: since } },
      });
      const onHold =
        (await tx.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })) > 0;
      const decision = decideOpenCase({
        policy,
        leaver: isLeaver(user, now),
        onHold,
        casesInWindow,
      });
      if (!decision.ok) {
        if (decision.code === "THROTTLED") {
          const security = await tx.staff.findMany({
            where: { role: "SECURITY", active: true },
            select: { email: true },
          });
          const latest = await tx.recoveryCase.findFirst({
            where: { userId: user.id, createdAt: { gt: since } },
            orderBy: { createdAt: "desc" },
            select: { id: true },
          });
          const alert = securityAlert({
            summary: `repeat recovery calls for ${user.name}`,
            detail: `${input.actor.name} tried to open recovery call ${casesInWindow + 1} in ${policy.repeatCalls.windowHours} hours for ${user.name}. It was blocked.`,
            baseUrl: publicUrl,
            caseId: latest?.id,
            caseLabel: `The latest case of the last ${policy.repeatCalls.windowHours} hours`,
            userId: user.id,
          });
          for (const { email } of security)
            await enqueueMessage(tx, { to: email, message: alert, subjectUserId: user.id });
        }
        return refuse(decision);
      }
      if (input.acknowledgedOpenCases) {
        const open = await tx.recoveryCase.findMany({
          where: { userId: user.id, status: { notIn: ["CLOSED", "REVOKED"] } },
          select: { id: true, team: true, owner: { select: { name: true } } },
        });
        const unseen = open.filter((kase) => !input.acknowledgedOpenCases!.includes(kase.id));
        if (unseen.length > 0)
          return refuse({
            ok: false,
            code: "CONFLICT",
            message: `${user.name} already has an open case (${unseen
              .map((kase) => `${kase.team ?? "no team"}, ${kase.owner?.name ?? "nobody"} has it`)
              .join(
                "; ",
              )}). Read it first: continue that case, or confirm that this call needs a case of its own.`,
          });
      }
      const script = scriptFor(policy, user.riskTier, input.reason);
      const kase = await tx.recoveryCase.create({
        data: {
          userId: user.id,
          agentId: input.actor.id,
          ownerId: input.actor.id,
          team: input.actor.team,
          reason: input.reason,
          channel: input.channel,
          callerClaim: input.callerClaim,
          riskTier: user.riskTier,
          policyVersion: policy.version,
          repeatCall: decision.repeatCall,
          needsApproval: decision.needsApproval,
          checklist: {
            create: {
              scriptKey: script.key,
              policyVersion: policy.version,
              steps: {
                create: script.steps.map((step, position) => ({ position, kind: step.kind })),
              },
            },
          },
        },
        select: { id: true },
      });
      await recordAudit(tx, {
        action: "case.opened",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: user.id,
        target: { type: "case", id: kase.id },
        data: {
          reason: input.reason,
          channel: input.channel,
          scriptKey: script.key,
          policyVersion: policy.version,
          repeatCall: decision.repeatCall,
          needsApproval: decision.needsApproval,
        },
        request: input.request,
      });
      for (const { address } of user.emails) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: user.id });
        const message = caseOpenedNotice({
          name: user.name,
          reason: CASE_REASON_LABELS[input.reason],
          reportUrl,
        });
        await enqueueMessage(tx, { to: address, message, subjectUserId: user.id, caseId: kase.id });
      }
      return { ok: true, value: { caseId: kase.id } };
    },
  );
}
