import { describe, expect, it } from "vitest";
import { type DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { actor, lastMessageTo, userWithManager } from "@/tests/recovery";
import { answerManagerConfirmation, getManagerConfirmation } from "./answer-manager-confirmation";
import { openCase } from "./open-case";
import { recordStep } from "./record-step";
import { sendStepLink } from "./send-step-link";

async function linkFor() {
  const agent = await actor();
  const { user, manager } = await userWithManager();
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "REPLACED_DEVICE",
    channel: "PHONE",
    callerClaim: "",
  });
  const { sentTo } = await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
  const { text } = await lastMessageTo(manager.emails[0]!.address);
  const token = text.match(/\/confirm\/([A-Za-z0-9_-]{43})/)![1]!;
  return { agent, user, manager, caseId, token, sentTo };
}

const stepOutcome = async (caseId: string) =>
  (
    await db.checklistStep.findFirstOrThrow({
      where: { run: { caseId }, kind: "MANAGER_CONFIRMATION" },
    })
  ).outcome;

describe("manager confirmation", () => {
  it("goes to the manager of record; the step completes from their answer, once", async () => {
    const { agent, user, manager, caseId, token, sentTo } = await linkFor();
    expect(sentTo).toMatch(/^.•••@/);
    expect(await getManagerConfirmation(token)).toMatchObject({
      userName: user.name,
      managerName: manager.name,
    });

    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    await recordStep({
      actor: agent,
      caseId,
      kind: "EMPLOYEE_RECORD",
      outcome: "PASSED",
      note: "",
    });
    expect(await answerManagerConfirmation({ token, answer: "confirm" })).toEqual({
      complete: true,
    });
    expect(await stepOutcome(caseId)).toBe("PASSED");
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "VERIFIED",
    );
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "step.answered" } }),
    ).toMatchObject({
      actorType: "WORKFORCE_USER",
      actorId: manager.id,
      data: { step: "MANAGER_CONFIRMATION", outcome: "PASSED", complete: true },
    });

    // The link is used up: its page shows the answer recorded, never the question again.
    expect(await getManagerConfirmation(token)).toMatchObject({
      state: "answered",
      answer: "confirmed",
    });
    const again = await answerManagerConfirmation({ token, answer: "deny" }).catch(
      (e: unknown) => e,
    );
    expect((again as DomainError).code).toBe("SEQUENCE");
    expect(await stepOutcome(caseId)).toBe("PASSED");
  });

  it("fails the step when the manager denies", async () => {
    const { caseId, token } = await linkFor();
    expect(await answerManagerConfirmation({ token, answer: "deny" })).toEqual({ complete: false });
    expect(await stepOutcome(caseId)).toBe("FAILED");
  });

  it.each([
    [
      "expired",
      async (caseId: string) =>
        db.stepLink.updateMany({
          where: { caseId },
          data: { expiresAt: new Date(Date.now() - 1000) },
        }),
    ],
    [
      "replaced by a newer link",
      async (caseId: string, agent: Awaited<ReturnType<typeof actor>>) =>
        sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" }),
    ],
  ])("refuses a link that was %s and audits it", async (_label, spoil) => {
    const { agent, caseId, token } = await linkFor();
    await spoil(caseId, agent);
    const error = await answerManagerConfirmation({ token, answer: "confirm" }).catch(
      (e: unknown) => e,
    );
    expect((error as DomainError).code).toBe("SEQUENCE");
    expect(await stepOutcome(caseId)).toBe("PENDING");
    expect(await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } })).toMatchObject({
      action: "step.link_refused",
      outcome: "REFUSED",
    });
  });

  it("refuses an unknown token", async () => {
    const error = await answerManagerConfirmation({
      token: "x".repeat(43),
      answer: "confirm",
    }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("SEQUENCE");
  });
});
