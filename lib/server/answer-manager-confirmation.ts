import "server-only";
import { db } from "@/lib/db";
import { isLeaver } from "@/lib/domain/workforce";
import { hashToken } from "./secrets";
import type { RequestContext } from "./request-context";
import { answerStepLink, completeLinkedStep, findUsableStepLink } from "./step-links";

/**
 * What the manager sees at their link (reading never uses it up): the request while it waits
 * for an answer; once answered, the answer recorded and when, on every later visit of the same
 * link (decision 025), never the buttons again. null for a link that is not ours, or that expired
 * or was voided unanswered.
 */
export async function getManagerConfirmation(token: string) {
  const link = await findUsableStepLink(token, "MANAGER_CONFIRMATION");
  if (link)
    return {
      state: "waiting" as const,
      userName: link.case.user.name,
      employeeId: link.case.user.employeeId,
      reason: link.case.reason,
      managerName: link.case.user.manager?.name ?? "",
    };
  const answered = await db.stepLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      kind: true,
      usedAt: true,
      answer: true,
      case: { select: { user: { select: { name: true } } } },
    },
  });
  if (!answered || answered.kind !== "MANAGER_CONFIRMATION" || !answered.usedAt) return null;
  return {
    state: "answered" as const,
    userName: answered.case.user.name,
    answer:
      answered.answer === "PASSED"
        ? ("confirmed" as const)
        : answered.answer === "FAILED"
          ? ("denied" as const)
          : null,
    answeredAt: answered.usedAt,
  };
}

/**
 * The manager confirms or denies, through their one-time link. A denial fails the step, which
 * stops the case and puts the user's recovery on hold. The link is used once; the answer is
 * recorded as the manager's, and may complete the checklist.
 */
export async function answerManagerConfirmation(input: {
  token: string;
  answer: "confirm" | "deny";
  request?: RequestContext;
}): Promise<{ complete: boolean }> {
  return answerStepLink(
    {
      token: input.token,
      kind: "MANAGER_CONFIRMATION",
      attempted: "manager confirmation",
      request: input.request,
      actorFor: (link) => {
        const manager = link.case.user.manager;
        return manager
          ? { type: "WORKFORCE_USER", id: manager.id, name: manager.name }
          : { type: "ANONYMOUS" };
      },
    },
    async (unit, link, refuse) => {
      // The answer counts only from whoever is the manager of record now, still employed, at the
      // address the link went to: a manager who left, or was replaced, answers nothing.
      const manager = unit.kase.user.managerId
        ? await unit.tx.workforceUser.findUnique({
            where: { id: unit.kase.user.managerId },
            select: {
              status: true,
              leavingOn: true,
              emails: { where: { verified: true }, select: { address: true } },
            },
          })
        : null;
      const stored = await unit.tx.stepLink.findUniqueOrThrow({
        where: { id: link.id },
        select: { sentTo: true },
      });
      if (
        !manager ||
        isLeaver(manager, unit.now) ||
        !manager.emails.some((email) => email.address === stored.sentTo)
      ) {
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "the link's recipient is no longer the manager of record, or has left",
        });
      }
      return completeLinkedStep(unit, refuse, {
        linkId: link.id,
        kind: "MANAGER_CONFIRMATION",
        outcome: input.answer === "confirm" ? "PASSED" : "FAILED",
        note: input.answer === "confirm" ? "Confirmed by the manager" : "Denied by the manager",
        evidence: { answeredBy: "manager of record" },
      });
    },
  );
}
