import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, userWithManager, verifiedStandardCase } from "@/tests/recovery";
import { closeCase } from "./close-case";
import { openCase } from "./open-case";
import { raiseRedFlag } from "./raise-red-flag";
import { requestReenrolment } from "./request-reenrolment";

/** What a refusal must leave untouched, and the count of audit rows about the case. */
async function state(caseId: string) {
  const kase = await db.recoveryCase.findUniqueOrThrow({
    where: { id: caseId },
    select: { status: true },
  });
  return {
    status: kase.status,
    approvals: await db.approval.count({ where: { caseId } }),
    links: await db.enrolmentLink.count({ where: { caseId } }),
    flags: await db.redFlag.count({ where: { caseId } }),
    events: await db.auditEvent.count({ where: { caseId } }),
  };
}

async function refusedOnce(caseId: string, attempt: () => Promise<unknown>, code: string) {
  const before = await state(caseId);
  const error = await attempt().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  expect(await state(caseId)).toEqual({ ...before, events: before.events + 1 });
  expect(
    await db.auditEvent.findFirstOrThrow({ where: { caseId }, orderBy: { id: "desc" } }),
  ).toMatchObject({ action: "case.action_refused", outcome: "REFUSED", reason: code });
}

describe("refusals of re-enrolment requests, red flags and closing", () => {
  it("refuses a re-enrolment before verification is complete", async () => {
    const agent = await actor();
    const { user } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await refusedOnce(
      caseId,
      () => requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] }),
      "SEQUENCE",
    );
  });

  it("refuses a re-enrolment that names another user's passkey", async () => {
    const { agent, caseId } = await verifiedStandardCase();
    const stranger = await createWorkforceUser(db, { passkeys: 1 });
    await refusedOnce(
      caseId,
      () =>
        requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [stranger.passkeys[0]!.id] }),
      "INVALID_INPUT",
    );
  });

  it("refuses a re-enrolment requested by a security reviewer", async () => {
    const { caseId } = await verifiedStandardCase();
    await refusedOnce(
      caseId,
      async () =>
        requestReenrolment({ actor: await actor("SECURITY"), caseId, revokePasskeyIds: [] }),
      "FORBIDDEN",
    );
  });

  it("refuses a re-enrolment on a case stopped by a red flag", async () => {
    const { agent, caseId } = await verifiedStandardCase();
    await raiseRedFlag({ actor: agent, caseId, kind: "DETAILS_MISMATCH", note: "" });
    await refusedOnce(
      caseId,
      () => requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] }),
      "RED_FLAG",
    );
  });

  it("refuses a red flag or a second close on a closed case", async () => {
    const { agent, caseId } = await verifiedStandardCase();
    await closeCase({ actor: agent, caseId, closeReason: "resolved" });
    await refusedOnce(
      caseId,
      () => raiseRedFlag({ actor: agent, caseId, kind: "PRESSURE", note: "" }),
      "SEQUENCE",
    );
    await refusedOnce(
      caseId,
      () => closeCase({ actor: agent, caseId, closeReason: "again" }),
      "SEQUENCE",
    );
  });
});
