import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { actor, lastMessageTo, userWithManager } from "@/tests/recovery";
import { answerManagerConfirmation } from "../answer-manager-confirmation";
import { openCase } from "../open-case";
import { recordStep } from "../record-step";
import { sendStepLink } from "../send-step-link";
import { correctStep } from "./correct-step";

/** A standard case whose manager said "deny": stopped, and the person on hold. */
async function deniedByManager() {
  const agent = await actor("AGENT");
  const { user, manager } = await userWithManager();
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "",
  });
  await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
  await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
  const token = (await lastMessageTo(manager.emails[0]!.address)).text.match(
    /\/confirm\/([A-Za-z0-9_-]{43})/,
  )![1]!;
  await answerManagerConfirmation({ token, answer: "deny" });
  return { agent, user, caseId };
}

const stateOf = async (caseId: string, userId: string) => ({
  steps: await db.checklistStep.findMany({
    where: { run: { caseId } },
    select: { kind: true, outcome: true },
    orderBy: { position: "asc" },
  }),
  holds: await db.recoveryHold.count({ where: { userId, clearedAt: null } }),
  status: (await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status,
});

describe("correctStep", () => {
  it("lets another supervisor reopen a denied step, audited with the earlier outcome, and clears the denial's hold", async () => {
    const { user, caseId } = await deniedByManager();
    const supervisor = await actor("SUPERVISOR");
    await correctStep({
      actor: supervisor,
      caseId,
      kind: "MANAGER_CONFIRMATION",
      note: "Manager says they misclicked; confirmed by phone",
    });
    expect(
      (
        await db.checklistStep.findFirstOrThrow({
          where: { run: { caseId }, kind: "MANAGER_CONFIRMATION" },
        })
      ).outcome,
    ).toBe("PENDING");
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(0);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "step.corrected" } }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorId: supervisor.id,
      data: { step: "MANAGER_CONFIRMATION", from: "FAILED", clearedHolds: 1 },
    });
  });

  it.each([
    ["the agent who worked the case", "AGENT", "FORBIDDEN"],
    ["a security reviewer", "SECURITY", "FORBIDDEN"],
  ] as const)("refuses %s: nothing changes, one refusal is audited", async (_label, role, code) => {
    const { agent, user, caseId } = await deniedByManager();
    const who = role === "AGENT" ? agent : await actor(role);
    const before = await stateOf(caseId, user.id);
    const refused = await db.auditEvent.count({ where: { outcome: "REFUSED" } });
    const error = await correctStep({
      actor: who,
      caseId,
      kind: "MANAGER_CONFIRMATION",
      note: "Trying to reopen it",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    expect(await stateOf(caseId, user.id)).toEqual(before);
    expect(await db.auditEvent.count({ where: { outcome: "REFUSED" } })).toBe(refused + 1);
  });

  it("refuses to reopen a step that passed or is still to do", async () => {
    const { user, caseId } = await deniedByManager();
    const supervisor = await actor("SUPERVISOR");
    const before = await stateOf(caseId, user.id);
    for (const kind of ["CALLBACK", "EMPLOYEE_RECORD"] as const) {
      const error = await correctStep({
        actor: supervisor,
        caseId,
        kind,
        note: "Reopen it please",
      }).catch((e: unknown) => e);
      expect((error as DomainError).code).toBe("SEQUENCE");
    }
    expect(await stateOf(caseId, user.id)).toEqual(before);
    expect(
      await db.auditEvent.count({
        where: { caseId, action: "case.action_refused", reason: "SEQUENCE" },
      }),
    ).toBe(2);
  });
});
