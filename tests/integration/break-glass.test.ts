/**
 * Break-glass accounts (issue 15, part D; docs/decisions/039), on a real database: only security
 * marks one; its passkey sign-in raises an alert (outbox + audit) unless security declared a test;
 * its recovery needs two distinct supervisors and a security reviewer, counted under the lock.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import {
  declareBreakGlassTest,
  listBreakGlassAccounts,
  pendingBreakGlassApprovals,
  setBreakGlass,
} from "@/lib/server/break-glass";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { openCase } from "@/lib/server/open-case";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";
import { sendStepLink } from "@/lib/server/send-step-link";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { db } from "@/tests/db";
import {
  actor,
  lastMessageTo,
  userWithSoftwarePasskey,
  verifiedStandardCase,
} from "@/tests/recovery";
import type { SoftwarePasskey } from "@/tests/software-authenticator";

async function signIn(user: { webauthnUserId: Uint8Array }, passkey: SoftwarePasskey) {
  const options = await startWorkforceSignIn();
  return finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
}

describe("marking a break-glass account", () => {
  it("is for security reviewers only, audited either way", async () => {
    const { user } = await userWithSoftwarePasskey();
    const supervisor = await actor("SUPERVISOR");
    await expect(
      setBreakGlass({ actor: supervisor, userId: user.id, breakGlass: true, reason: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.breakGlassAccount.count({ where: { userId: user.id } })).toBe(0);

    const security = await actor("SECURITY");
    await setBreakGlass({
      actor: security,
      userId: user.id,
      breakGlass: true,
      reason: "Plant floor emergency admin",
    });
    expect(await db.breakGlassAccount.count({ where: { userId: user.id } })).toBe(1);
    expect(
      await db.auditEvent.findMany({
        where: {
          subjectUserId: user.id,
          action: { in: ["breakglass.changed", "case.action_refused"] },
        },
        select: { action: true, outcome: true, actorId: true },
        orderBy: { id: "asc" },
      }),
    ).toEqual([
      { action: "case.action_refused", outcome: "REFUSED", actorId: supervisor.id },
      { action: "breakglass.changed", outcome: "ALLOWED", actorId: security.id },
    ]);
  });
});

describe("a break-glass account signs in", () => {
  it("raises an alert to every security reviewer and records the use; a declared test is recorded as a test", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const security = await actor("SECURITY");
    await setBreakGlass({
      actor: security,
      userId: user.id,
      breakGlass: true,
      reason: "Break-glass",
    });

    await signIn(user, passkey);
    const incident = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "breakglass.signed_in" },
    });
    expect(incident.data).toMatchObject({ kind: "incident" });
    expect(
      await db.outboxMessage.count({
        where: { toAddress: security.email, kind: "security.alert", subjectUserId: user.id },
      }),
    ).toBe(1);
    expect(
      (await db.breakGlassAccount.findUniqueOrThrow({ where: { userId: user.id } })).lastUsedAt,
    ).not.toBeNull();

    await declareBreakGlassTest({ actor: security, userId: user.id, minutes: 30 });
    await signIn(user, passkey);
    const test = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "breakglass.signed_in" },
      orderBy: { id: "desc" },
    });
    expect(test.data).toMatchObject({ kind: "test" });
    expect(
      await db.outboxMessage.count({
        where: { toAddress: security.email, kind: "security.alert", subjectUserId: user.id },
      }),
    ).toBe(1);
    const row = (await listBreakGlassAccounts()).find((r) => r.userId === user.id);
    expect(row?.lastTestAt).not.toBeNull();
    expect(row?.lastUsedAt).not.toBeNull();
  });

  it("its passkey proving identity on a recovery case alerts security like a sign-in", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const security = await actor("SECURITY");
    await setBreakGlass({
      actor: security,
      userId: user.id,
      breakGlass: true,
      reason: "Break-glass",
    });
    const agent = await actor();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "REPLACED_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await sendStepLink({ actor: agent, caseId, kind: "PASSKEY_PROOF" });
    const token = (await lastMessageTo(user.emails[0]!.address)).text.match(
      /\/prove\/([A-Za-z0-9_-]{43})/,
    )![1]!;
    const options = await startPasskeyProof({ token });
    await finishPasskeyProof({
      token,
      response: passkey.authenticate(options.challenge, user.webauthnUserId),
    });

    const step = await db.checklistStep.findFirstOrThrow({
      where: { run: { caseId }, kind: "PASSKEY_PROOF" },
    });
    expect(step.outcome).toBe("PASSED");
    const use = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "breakglass.signed_in" },
    });
    expect(use.data).toMatchObject({ kind: "incident", use: "case proof" });
    const alerts = await db.outboxMessage.findMany({
      where: { toAddress: security.email, kind: "security.alert", subjectUserId: user.id },
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toContain("used its passkey on a recovery case");
  });

  it("an ordinary account's sign-in raises nothing", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    await signIn(user, passkey);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "breakglass.signed_in" },
      }),
    ).toBe(0);
  });
});

async function breakGlassRequest() {
  const { agent, user, caseId } = await verifiedStandardCase();
  await setBreakGlass({
    actor: await actor("SECURITY"),
    userId: user.id,
    breakGlass: true,
    reason: "Break-glass",
  });
  const requested = await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
  const approval = await db.approval.findFirstOrThrow({ where: { caseId, status: "PENDING" } });
  return { agent, user, caseId, requested, approvalId: approval.id };
}

describe("recovering a break-glass account", () => {
  it("needs two distinct supervisors and a security reviewer; the link goes out only with the third", async () => {
    const reviewer = await actor("SECURITY");
    const { caseId, approvalId } = await breakGlassRequest();
    // Security reviewers are told a break-glass recovery waits for one of them.
    const waiting = await db.outboxMessage.findFirstOrThrow({
      where: { toAddress: reviewer.email, caseId },
    });
    expect(waiting.kind).toBe("approval.waiting");
    const [s1, s2] = [await actor("SUPERVISOR"), await actor("SUPERVISOR")];
    const approve = (who: typeof s1) =>
      decideReenrolment({ actor: who, approvalId, decision: "approve", reason: "Checked" });

    expect(await approve(s1)).toMatchObject({
      outcome: "recorded",
      missing: ["1 more supervisor", "1 more security reviewer"],
    });
    // The security reviewer's page for the person says what is waiting and who is still needed.
    const { userId } = await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } });
    expect(await pendingBreakGlassApprovals(userId)).toEqual([
      expect.objectContaining({
        id: approvalId,
        votes: [{ deciderId: s1.id, role: "SUPERVISOR" }],
        missing: ["1 more supervisor", "1 more security reviewer"],
      }),
    ]);
    await expect(approve(s1)).rejects.toBeInstanceOf(DomainError);
    expect(await approve(reviewer)).toMatchObject({
      outcome: "recorded",
      missing: ["1 more supervisor"],
    });
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(0);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe(
      "PENDING",
    );

    expect(await approve(s2)).toMatchObject({ outcome: "approved" });
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe(
      "USED",
    );
    expect(await db.enrolmentLink.count({ where: { caseId } })).toBe(1);
    expect(await db.approvalDecision.count({ where: { approvalId } })).toBe(3);
  });

  it("refuses the agent who worked the case and a second security reviewer", async () => {
    const { agent, approvalId } = await breakGlassRequest();
    await expect(
      decideReenrolment({ actor: agent, approvalId, decision: "approve", reason: "" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await decideReenrolment({
      actor: await actor("SECURITY"),
      approvalId,
      decision: "approve",
      reason: "",
    });
    await expect(
      decideReenrolment({
        actor: await actor("SECURITY"),
        approvalId,
        decision: "approve",
        reason: "",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("two supervisors approving at once count as two; one supervisor twice at once counts as one", async () => {
    const first = await breakGlassRequest();
    const [s1, s2] = [await actor("SUPERVISOR"), await actor("SUPERVISOR")];
    const both = await Promise.allSettled([
      decideReenrolment({
        actor: s1,
        approvalId: first.approvalId,
        decision: "approve",
        reason: "",
      }),
      decideReenrolment({
        actor: s2,
        approvalId: first.approvalId,
        decision: "approve",
        reason: "",
      }),
    ]);
    expect(both.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(await db.approvalDecision.count({ where: { approvalId: first.approvalId } })).toBe(2);

    const second = await breakGlassRequest();
    const s3 = await actor("SUPERVISOR");
    const twice = await Promise.allSettled([
      decideReenrolment({
        actor: s3,
        approvalId: second.approvalId,
        decision: "approve",
        reason: "",
      }),
      decideReenrolment({
        actor: s3,
        approvalId: second.approvalId,
        decision: "approve",
        reason: "",
      }),
    ]);
    expect(twice.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await db.approvalDecision.count({ where: { approvalId: second.approvalId } })).toBe(1);
    expect((await db.approval.findUniqueOrThrow({ where: { id: second.approvalId } })).status).toBe(
      "PENDING",
    );
  });
});
