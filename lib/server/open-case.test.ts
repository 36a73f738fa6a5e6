import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { actor, lastMessageTo } from "@/tests/recovery";
import { openCase } from "./open-case";

const open = (a: Awaited<ReturnType<typeof actor>>, userId: string) =>
  openCase({
    actor: a,
    userId,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "Phone lost",
  });

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("openCase", () => {
  it("opens a case with the script the policy picks for the tier, and tells the user", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, { riskTier: "HIGH_RISK" });
    const { caseId } = await open(agent, user.id);

    const kase = await db.recoveryCase.findUniqueOrThrow({
      where: { id: caseId },
      include: { checklist: { include: { steps: { orderBy: { position: "asc" } } } } },
    });
    expect(kase).toMatchObject({
      status: "OPEN",
      riskTier: "HIGH_RISK",
      policyVersion: 3,
      repeatCall: 1,
      needsApproval: false,
      agentId: agent.id,
    });
    expect(kase.checklist!.scriptKey).toBe("high-risk");
    expect(kase.checklist!.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ["CALLBACK", "PENDING"],
      ["MANAGER_CONFIRMATION", "PENDING"],
      ["ID_DOCUMENT", "PENDING"],
      ["EMPLOYEE_RECORD", "PENDING"],
    ]);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "case.opened" } }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorId: agent.id,
      subjectUserId: user.id,
      data: { reason: "LOST_DEVICE", scriptKey: "high-risk", repeatCall: 1 },
    });
    const notice = await lastMessageTo(user.emails[0]!.address);
    expect(notice.kind).toBe("case.opened");
    expect(notice.body).toMatch(/^sealed:v1:/);
    expect(notice.text).toMatch(/If this wasn't you.*\n.*\/report\/[A-Za-z0-9_-]{43}/);
  });

  it("refuses a leaver, opens nothing and audits why", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, {
      status: "LEFT",
      leavingOn: new Date("2026-01-31"),
    });
    const error = await refused(open(agent, user.id));
    expect(error.code).toBe("LEAVER");
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.auditEvent.findMany({ where: { subjectUserId: user.id } })).toEqual([
      expect.objectContaining({
        action: "case.action_refused",
        outcome: "REFUSED",
        reason: "LEAVER",
      }),
    ]);
  });

  it("refuses a security reviewer: only agents and supervisors work cases", async () => {
    const reviewer = await actor("SECURITY");
    const user = await createWorkforceUser(db);
    expect((await refused(open(reviewer, user.id))).code).toBe("FORBIDDEN");
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(0);
  });

  it("flags repeat calls for approval and blocks the fourth in 24 hours, across agents, alerting security", async () => {
    await createStaff(db, { role: "SECURITY", email: `sec-${Date.now()}@northwind.example` });
    const user = await createWorkforceUser(db);
    const first = await open(await actor(), user.id);
    const second = await open(await actor(), user.id);
    const third = await open(await actor("SUPERVISOR"), user.id);
    const flags = await db.recoveryCase.findMany({
      where: { id: { in: [first.caseId, second.caseId, third.caseId] } },
      orderBy: { repeatCall: "asc" },
    });
    expect(flags.map((c) => [c.repeatCall, c.needsApproval])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);

    const alertsBefore = await db.outboxMessage.count({ where: { kind: "security.alert" } });
    expect((await refused(open(await actor(), user.id))).code).toBe("THROTTLED");
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(3);
    expect(await db.outboxMessage.count({ where: { kind: "security.alert" } })).toBeGreaterThan(
      alertsBefore,
    );
  });

  it("counts concurrent calls against each other (the user row is locked)", async () => {
    const user = await createWorkforceUser(db);
    const agents = await Promise.all(Array.from({ length: 6 }, () => actor()));
    const results = await Promise.allSettled(agents.map((a) => open(a, user.id)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const cases = await db.recoveryCase.findMany({
      where: { userId: user.id },
      orderBy: { repeatCall: "asc" },
    });
    expect(cases.map((c) => c.repeatCall)).toEqual([1, 2, 3]);
  });
});
