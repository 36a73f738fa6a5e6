import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import type { AgentRecordedStep } from "@/lib/domain/step-kinds";
import { db } from "@/tests/db";
import { actor, userWithManager } from "@/tests/recovery";
import { openCase } from "./open-case";
import { raiseRedFlag } from "./raise-red-flag";
import { recordStep } from "./record-step";

async function newCase(riskTier: "STANDARD" | "CONTRACTOR" = "STANDARD") {
  const agent = await actor();
  const { user } = await userWithManager({ riskTier });
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "",
  });
  return { agent, caseId };
}

async function stateOf(caseId: string) {
  const kase = await db.recoveryCase.findUniqueOrThrow({
    where: { id: caseId },
    include: { checklist: { include: { steps: true } } },
  });
  return {
    status: kase.status,
    steps: Object.fromEntries(kase.checklist!.steps.map((s) => [s.kind, s.outcome])),
  };
}

describe("recordStep", () => {
  it("records the agent's step with its note, and audits it", async () => {
    const { agent, caseId } = await newCase();
    expect(
      await recordStep({
        actor: agent,
        caseId,
        kind: "CALLBACK",
        outcome: "PASSED",
        note: "Answered, confirmed the call",
      }),
    ).toEqual({ complete: false, stopped: false });
    const step = await db.checklistStep.findFirstOrThrow({
      where: { run: { caseId }, kind: "CALLBACK" },
    });
    expect(step).toMatchObject({
      outcome: "PASSED",
      note: "Answered, confirmed the call",
      recordedById: agent.id,
    });
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "step.recorded" } }),
    ).toMatchObject({
      data: {
        step: "CALLBACK",
        outcome: "PASSED",
        complete: false,
        note: "Answered, confirmed the call",
      },
    });
  });

  it.each([
    ["replaying a recorded step", "CALLBACK", "SEQUENCE", true],
    ["the agent completing the manager's step", "MANAGER_CONFIRMATION", "FORBIDDEN", false],
    ["a step outside the contractor script", "ID_DOCUMENT", "INVALID_INPUT", false],
  ] as const)(
    "refuses %s, changes nothing and audits it once",
    async (_label, kind, code, recordFirst) => {
      const { agent, caseId } = await newCase("CONTRACTOR");
      if (recordFirst)
        await recordStep({ actor: agent, caseId, kind, outcome: "UNABLE", note: "" });
      const before = await stateOf(caseId);
      const events = await db.auditEvent.count({ where: { caseId } });

      const error = await recordStep({
        actor: agent,
        caseId,
        kind: kind as AgentRecordedStep,
        outcome: "PASSED",
        note: "",
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(code);
      expect(await stateOf(caseId)).toEqual(before);
      expect(await db.auditEvent.count({ where: { caseId } })).toBe(events + 1);
      expect(
        await db.auditEvent.findFirstOrThrow({ where: { caseId }, orderBy: { id: "desc" } }),
      ).toMatchObject({
        action: "case.action_refused",
        outcome: "REFUSED",
        reason: code,
      });
    },
  );

  it("stops recording once a stop flag is raised", async () => {
    const { agent, caseId } = await newCase();
    expect(
      await raiseRedFlag({
        actor: agent,
        caseId,
        kind: "NEW_CONTACT_REQUEST",
        note: "Asked for the code by SMS to a new number",
      }),
    ).toEqual({ effect: "stop" });
    const error = await recordStep({
      actor: agent,
      caseId,
      kind: "CALLBACK",
      outcome: "PASSED",
      note: "",
    }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("RED_FLAG");
    expect((await stateOf(caseId)).steps.CALLBACK).toBe("PENDING");
  });

  it("stops the case on a failed step: recorded as a refusal, nothing more can be recorded, and only a supervisor reopens it", async () => {
    const { agent, caseId } = await newCase();
    expect(
      await recordStep({
        actor: agent,
        caseId,
        kind: "CALLBACK",
        outcome: "FAILED",
        note: "The person at the number of record did not ask",
      }),
    ).toEqual({
      complete: false,
      stopped: true,
    });
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "step.recorded" } }),
    ).toMatchObject({ outcome: "REFUSED", reason: "STOPPED" });
    const error = await recordStep({
      actor: agent,
      caseId,
      kind: "EMPLOYEE_RECORD",
      outcome: "PASSED",
      note: "",
    }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("STOPPED");
    expect((await stateOf(caseId)).steps.EMPLOYEE_RECORD).toBe("PENDING");
  });

  it("lets exactly one of two simultaneous recordings of a step through", async () => {
    const { agent, caseId } = await newCase();
    const results = await Promise.allSettled([
      recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "first" }),
      recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "FAILED", note: "second" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { caseId, action: "step.recorded" } })).toBe(1);
  });
});
