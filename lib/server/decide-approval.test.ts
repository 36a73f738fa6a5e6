import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { actor, confirmAsManager, userWithManager } from "@/tests/recovery";
import { clearHold } from "./cases/clear-hold";
import { decideReenrolment } from "./decide-approval";
import { openCase } from "./open-case";
import { recordStep } from "./record-step";
import { requestReenrolment } from "./request-reenrolment";

/** A high-risk caller fully verified by `agent`, with a pending re-enrolment request. */
async function pendingHighRisk() {
  const agent = await actor("AGENT");
  const { user, manager } = await userWithManager({ riskTier: "HIGH_RISK", passkeys: 2 });
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "VIDEO",
    callerClaim: "",
  });
  for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
    await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  const lost = user.passkeys[0]!.id;
  expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [lost] })).toEqual({
    status: "pending_approval",
    reason: "high-risk tier",
  });
  const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
  return { agent, user, caseId, approval, lost };
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("re-enrolment approval", () => {
  it("a standard-tier request with nothing special proceeds at once", async () => {
    const agent = await actor("AGENT");
    const { user, manager } = await userWithManager({ passkeys: 1 });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    for (const kind of ["CALLBACK", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
    await confirmAsManager(caseId, agent, manager.emails[0]!.address);
    expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] })).toMatchObject({
      status: "link_sent",
    });
    expect(await db.approval.count({ where: { caseId } })).toBe(0);
    expect(await db.enrolmentLink.count({ where: { caseId, usedAt: null, voidedAt: null } })).toBe(
      1,
    );
  });

  it("a high-risk request waits for a different supervisor, who approves it: the link goes out", async () => {
    const { caseId, approval, lost } = await pendingHighRisk();
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "PENDING_APPROVAL",
    );
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(0);

    const supervisor = await actor("SUPERVISOR");
    expect(
      await decideReenrolment({
        actor: supervisor,
        approvalId: approval.id,
        decision: "approve",
        reason: "Video ID matched",
      }),
    ).toMatchObject({ outcome: "approved" });

    expect(await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: "USED",
      decidedById: supervisor.id,
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "APPROVED",
    );
    expect(await db.enrolmentLink.findFirstOrThrow({ where: { caseId } })).toMatchObject({
      approvalId: approval.id,
      revokePasskeyIds: [lost],
    });
  });

  it("refuses self-approval: the requester, or a supervisor who verified, cannot decide (audited)", async () => {
    const { agent, caseId, approval } = await pendingHighRisk();
    await db.staff.update({ where: { id: agent.id }, data: { role: "SUPERVISOR" } });
    const error = await refused(
      decideReenrolment({
        actor: { ...agent, role: "SUPERVISOR" },
        approvalId: approval.id,
        decision: "approve",
        reason: "",
      }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "PENDING",
    );
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId }, orderBy: { id: "desc" } }),
    ).toMatchObject({ action: "case.action_refused", reason: "FORBIDDEN", actorId: agent.id });
  });

  it("refuses an agent or a security reviewer", async () => {
    const { approval } = await pendingHighRisk();
    for (const role of ["AGENT", "SECURITY"] as const) {
      expect(
        (
          await refused(
            decideReenrolment({
              actor: await actor(role),
              approvalId: approval.id,
              decision: "approve",
              reason: "",
            }),
          )
        ).code,
      ).toBe("FORBIDDEN");
    }
  });

  it("refuses a stale approval: what was approved changed after the request", async () => {
    const { user, caseId, approval } = await pendingHighRisk();
    await db.workforceEmail.create({
      data: {
        userId: user.id,
        address: `new-${user.id.slice(0, 6)}@personal.example`,
        kind: "personal",
        verified: true,
      },
    });
    const error = await refused(
      decideReenrolment({
        actor: await actor("SUPERVISOR"),
        approvalId: approval.id,
        decision: "approve",
        reason: "",
      }),
    );
    expect(error.userMessage).toMatch(/^Approval stale/);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "VOIDED",
    );
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "VERIFIED",
    );
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(0);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "approval.lapsed" } }),
    ).toMatchObject({ data: { why: "stale" } });
  });

  it("refuses an expired approval and lets the agent ask again", async () => {
    const { caseId, approval } = await pendingHighRisk();
    const later = new Date(Date.now() + 31 * 60_000);
    expect(
      (
        await refused(
          decideReenrolment({
            actor: await actor("SUPERVISOR"),
            approvalId: approval.id,
            decision: "approve",
            reason: "",
            now: later,
          }),
        )
      ).code,
    ).toBe("SEQUENCE");
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "EXPIRED",
    );
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "VERIFIED",
    );
  });

  it("gives exactly one approval when two supervisors approve at the same moment", async () => {
    const { caseId, approval } = await pendingHighRisk();
    const [a, b] = [await actor("SUPERVISOR"), await actor("SUPERVISOR")];
    const results = await Promise.allSettled([
      decideReenrolment({ actor: a, approvalId: approval.id, decision: "approve", reason: "a" }),
      decideReenrolment({ actor: b, approvalId: approval.id, decision: "approve", reason: "b" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(1);
    expect(await db.auditEvent.count({ where: { caseId, action: "approval.approved" } })).toBe(1);
  });

  it("a denial closes the case, sends nothing, and holds the person's recovery until another supervisor clears it", async () => {
    const { agent, user, caseId, approval } = await pendingHighRisk();
    const denier = await actor("SUPERVISOR");
    expect(
      await decideReenrolment({
        actor: denier,
        approvalId: approval.id,
        decision: "deny",
        reason: "Caller could not show ID",
      }),
    ).toEqual({ outcome: "denied" });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "CLOSED",
    );
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(0);

    // A new case for the same person is refused while the hold stands: a denial is not routed around.
    const reopened = await refused(
      openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }),
    );
    expect(reopened.code).toBe("ON_HOLD");
    // The agent who worked the case cannot clear it (no permission); another supervisor can, audited.
    expect(
      (await refused(clearHold({ actor: agent, userId: user.id, note: "I think it is fine now" })))
        .code,
    ).toBe("FORBIDDEN");
    expect(
      await clearHold({
        actor: await actor("SUPERVISOR"),
        userId: user.id,
        note: "Reviewed the denial with the denier; ID re-checked on video",
      }),
    ).toEqual({ cleared: 1 });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "case.hold_cleared" },
      }),
    ).toMatchObject({ outcome: "ALLOWED", caseId });
    expect(
      await openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }),
    ).toMatchObject({ caseId: expect.any(String) });
  });

  it("lets the agent ask again once a request expired unanswered: the old one lapses, audited", async () => {
    const { agent, caseId, approval, lost } = await pendingHighRisk();
    await db.approval.update({
      where: { id: approval.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [lost] })).toEqual({
      status: "pending_approval",
      reason: "high-risk tier",
    });
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "EXPIRED",
    );
    expect(await db.approval.count({ where: { caseId, status: "PENDING" } })).toBe(1);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "approval.lapsed" } }),
    ).toMatchObject({ data: { why: "expired" } });
  });

  it("covers everything the approver judged: a changed phone of record or manager makes it stale", async () => {
    for (const change of [{ phoneOfRecord: "+44 20 7946 0000" }, { managerId: null }]) {
      const { user, approval } = await pendingHighRisk();
      await db.workforceUser.update({ where: { id: user.id }, data: change });
      const error = await refused(
        decideReenrolment({
          actor: await actor("SUPERVISOR"),
          approvalId: approval.id,
          decision: "approve",
          reason: "",
        }),
      );
      expect(error.code).toBe("CONFLICT");
      expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
        "VOIDED",
      );
    }
  });

  it("refuses a supervisor who worked the case (raised a flag or recorded a step), not only the requester", async () => {
    const { caseId, approval } = await pendingHighRisk();
    const supervisor = await actor("SUPERVISOR");
    await db.checklistStep.updateMany({
      where: { run: { caseId }, kind: "ID_DOCUMENT" },
      data: { recordedById: supervisor.id },
    });
    expect(
      (
        await refused(
          decideReenrolment({
            actor: supervisor,
            approvalId: approval.id,
            decision: "approve",
            reason: "",
          }),
        )
      ).code,
    ).toBe("FORBIDDEN");
  });
});
