import "server-only";
import { isOpenCase } from "@/lib/domain/case-state";
import { recordAudit, type Tx } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { runCaseWork } from "./unit-of-work";

/** The teams cases can be handed to: those with active agents or supervisors. */
export async function findTeams(client: Pick<Tx, "staff">): Promise<string[]> {
  const rows = await client.staff.findMany({
    where: { active: true, role: { in: ["AGENT", "SUPERVISOR"] }, team: { not: null } },
    distinct: ["team"],
    select: { team: true },
  });
  return rows.map((row) => row.team!).sort();
}

/**
 * Hands an open case to another team: the only way a case leaves its team. Done by someone of
 * the case's team (the unit of work checks it), to a team that exists, and audited with the reason.
 */
export async function transferCase(input: {
  actor: CurrentStaff;
  caseId: string;
  team: string;
  note: string;
  request?: RequestContext;
}): Promise<void> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "hand over",
      request: input.request,
      safeAction: "hand over",
    },
    async ({ tx, kase, actor, refuse }) => {
      if (!isOpenCase(kase.status))
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "Only an open case can be handed over.",
        });
      if (input.team === kase.team)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: "The case is already with that team.",
        });
      const teams = await findTeams(tx);
      if (!teams.includes(input.team))
        return refuse({ ok: false, code: "INVALID_INPUT", message: "There is no such team." });
      // Nobody of the new team has it yet: it waits in their queue under "Nobody's yet".
      await tx.recoveryCase.update({
        where: { id: kase.id },
        data: { team: input.team, ownerId: null },
      });
      await recordAudit(tx, {
        action: "case.transferred",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { from: kase.team, to: input.team, note: input.note },
        request: input.request,
      });
      return { ok: true, value: undefined };
    },
  );
}
