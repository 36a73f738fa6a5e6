/**
 * Case paths that can overlap, run at the same moment against PostgreSQL. Every path takes the
 * user's row first (lib/server/cases/unit-of-work.ts), so each pair serializes: no deadlock, no
 * transaction error, and the result is always one of the two serial orders, with the loser
 * refused for the right reason. Each pair is repeated on fresh cases: ROUNDS rounds that start
 * both paths in the same tick, then a few rounds that hold the second path back by a few
 * milliseconds, so that the first path (often a token path, which reads its row before it takes
 * the locks, and so tends to lose a same-tick start) also gets to win, and both serial orders are
 * checked.
 */
import { describe, expect, it } from "vitest";
import { DomainError, type DomainErrorCode } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { closeCase } from "@/lib/server/close-case";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { redeemTap } from "@/lib/server/redeem-tap";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { sendStepLink } from "@/lib/server/send-step-link";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { db } from "@/tests/db";
import {
  actor,
  linkToken,
  messageOfKind,
  userWithManager,
  userWithSoftwarePasskey,
  verifiedHighRiskCase,
  verifiedStandardCase,
} from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

const ROUNDS = 8;
/** Per round, how long the second path is held back: 0 (same tick) for ROUNDS rounds, then staggered. */
const SCHEDULE = [...Array.from({ length: ROUNDS }, () => 0), 3, 10, 25];

type Settled = PromiseSettledResult<unknown>;

/**
 * Starts both (in the same tick unless `delayB` holds the second back) and waits for both; any
 * rejection must be a clean refusal.
 */
async function race(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  delayB = 0,
): Promise<[Settled, Settled]> {
  const later = (start: () => Promise<unknown>) =>
    new Promise<void>((resolve) => setTimeout(resolve, delayB)).then(start);
  const [first, second] = await Promise.allSettled([a(), delayB === 0 ? b() : later(b)]);
  for (const result of [first, second]) {
    if (result.status === "fulfilled") continue;
    const error = result.reason as Error;
    expect(error, `an unexpected error: ${String(error?.stack ?? error)}`).toBeInstanceOf(
      DomainError,
    );
    for (const text of [error.message, (error as DomainError).userMessage]) {
      for (const forbidden of ["deadlock", "40P01", "P2034", "Transaction"])
        expect(text).not.toContain(forbidden);
    }
  }
  return [first, second];
}

/** "ok" for a fulfilled path, else its refusal code. */
const outcome = (result: Settled): "ok" | DomainErrorCode =>
  result.status === "fulfilled" ? "ok" : (result.reason as DomainError).code;

const caseStatus = async (caseId: string) =>
  (await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status;
const step = (caseId: string, kind: "MANAGER_CONFIRMATION" | "PASSKEY_PROOF") =>
  db.checklistStep.findFirstOrThrow({ where: { run: { caseId }, kind } });
const usablePasses = (userId: string) =>
  db.temporaryAccessPass.count({ where: { userId, usedAt: null, voidedAt: null } });
const usableEnrolmentLinks = (userId: string) =>
  db.enrolmentLink.count({ where: { userId, usedAt: null, voidedAt: null } });

/** An OPEN standard case whose callback and employee record passed, with the manager's link out. */
async function awaitingManager() {
  const agent = await actor();
  const { user, manager } = await userWithManager();
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "Lost my phone",
  });
  for (const kind of ["CALLBACK", "EMPLOYEE_RECORD"] as const)
    await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
  await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
  const token = linkToken(
    (await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation", caseId)).text,
    "confirm",
  );
  return { agent, user, caseId, token };
}

/** A verified standard case with a pass issued, and the pass as the user would type it. */
async function withPass() {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  const { text } = await messageOfKind(address, "tap.issued", caseId);
  return {
    agent,
    user,
    caseId,
    address,
    code: normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!,
  };
}

describe("overlapping case paths serialize on the user's row", () => {
  it("a manager's answer racing the case's closing: either the answer lands first and the case then closes, or it is refused and the step stays pending", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, caseId, token } = await awaitingManager();
      const [answer, close] = await race(
        () => answerManagerConfirmation({ token, answer: "confirm" }),
        () => closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
        delay,
      );
      expect(outcome(close), `round ${round}: closing never loses`).toBe("ok");
      expect(["ok", "SEQUENCE"]).toContain(outcome(answer));
      const link = await db.stepLink.findFirstOrThrow({ where: { caseId } });
      if (outcome(answer) === "ok") {
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PASSED");
        expect(link.usedAt).not.toBeNull();
      } else {
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PENDING");
        expect(link).toMatchObject({ usedAt: null, voidReason: "case closed" });
      }
      expect(await caseStatus(caseId)).toBe("CLOSED");
      expect(await db.stepLink.count({ where: { caseId, usedAt: null, voidedAt: null } })).toBe(0);
    }
  });

  it("a manager's answer racing a stop red flag: whichever lands first, the case stays stopped and nothing can be issued", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, caseId, token } = await awaitingManager();
      const [answer, flag] = await race(
        () => answerManagerConfirmation({ token, answer: "confirm" }),
        () =>
          raiseRedFlag({
            actor: agent,
            caseId,
            kind: "DETAILS_MISMATCH",
            note: "Wrong department",
          }),
        delay,
      );
      expect(outcome(flag), `round ${round}: a red flag is always possible on an open case`).toBe(
        "ok",
      );
      expect(["ok", "SEQUENCE"]).toContain(outcome(answer));
      if (outcome(answer) === "ok") {
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PASSED");
        expect(await caseStatus(caseId)).toBe("VERIFIED");
      } else {
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PENDING");
        expect(await caseStatus(caseId)).toBe("OPEN");
        expect(await db.stepLink.findFirstOrThrow({ where: { caseId } })).toMatchObject({
          usedAt: null,
          voidReason: "red flag: Details don't match the record",
        });
      }
      const issue = await issueTap({
        actor: agent,
        caseId,
        lifetimeMinutes: 60,
        multiUse: false,
      }).catch((e: unknown) => e);
      expect((issue as DomainError).code).toBe("RED_FLAG");
      expect(await db.stepLink.count({ where: { caseId, usedAt: null, voidedAt: null } })).toBe(0);
    }
  });

  it("a manager's answer racing a resend of the link: exactly one succeeds, and the other is refused as out of sequence", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, caseId, token } = await awaitingManager();
      const [answer, resend] = await race(
        () => answerManagerConfirmation({ token, answer: "confirm" }),
        () => sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" }),
        delay,
      );
      const outcomes = [outcome(answer), outcome(resend)].sort();
      expect(outcomes, `round ${round}`).toEqual(["SEQUENCE", "ok"]);
      const links = await db.stepLink.findMany({
        where: { caseId },
        orderBy: { createdAt: "asc" },
      });
      if (outcome(answer) === "ok") {
        // The answer verified the case; a new link for a recorded step is refused.
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PASSED");
        expect(await caseStatus(caseId)).toBe("VERIFIED");
        expect(links).toHaveLength(1);
        expect(links[0]!.usedAt).not.toBeNull();
      } else {
        // The resend replaced the link the manager was answering: the new one is the only live one.
        expect((await step(caseId, "MANAGER_CONFIRMATION")).outcome).toBe("PENDING");
        expect(await caseStatus(caseId)).toBe("OPEN");
        expect(links).toHaveLength(2);
        expect(links[0]).toMatchObject({ usedAt: null, voidReason: "replaced by a new link" });
        expect(links[1]).toMatchObject({ usedAt: null, voidedAt: null });
      }
    }
  });

  it("a passkey proof racing the case's closing: either the proof lands first and the case then closes, or it is refused and the step stays pending", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      // A user with a real passkey from an earlier recovery calls again (a repeat call: fine for the proof step).
      const { user, passkey } = await userWithSoftwarePasskey();
      const agent = await actor();
      const { caseId } = await openCase({
        actor: agent,
        userId: user.id,
        reason: "REPLACED_DEVICE",
        channel: "PHONE",
        callerClaim: "New phone",
      });
      await sendStepLink({ actor: agent, caseId, kind: "PASSKEY_PROOF" });
      const token = linkToken(
        (await messageOfKind(user.emails[0]!.address, "step.passkey_proof", caseId)).text,
        "prove",
      );
      const { challenge } = await startPasskeyProof({ token });
      const response = passkey.authenticate(challenge, user.webauthnUserId);

      const [proof, close] = await race(
        () => finishPasskeyProof({ token, response }),
        () => closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
        delay,
      );
      expect(outcome(close), `round ${round}: closing never loses`).toBe("ok");
      expect(["ok", "SEQUENCE"]).toContain(outcome(proof));
      expect((await step(caseId, "PASSKEY_PROOF")).outcome).toBe(
        outcome(proof) === "ok" ? "PASSED" : "PENDING",
      );
      expect(await caseStatus(caseId)).toBe("CLOSED");
      expect(await db.stepLink.count({ where: { caseId, usedAt: null, voidedAt: null } })).toBe(0);
    }
  });

  it("issuing a pass racing the case's closing: a pass issued first is voided by the close, or the issue is refused; never a live pass on a closed case", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, user, caseId } = await verifiedStandardCase();
      const [issue, close] = await race(
        () => issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
        () => closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
        delay,
      );
      expect(outcome(close), `round ${round}: closing never loses`).toBe("ok");
      expect(["ok", "SEQUENCE"]).toContain(outcome(issue));
      const passes = await db.temporaryAccessPass.findMany({ where: { caseId } });
      if (outcome(issue) === "ok") {
        expect(passes).toHaveLength(1);
        expect(passes[0]).toMatchObject({ usedAt: null, voidReason: "case closed" });
        expect((close as PromiseFulfilledResult<{ userTold: boolean }>).value).toEqual({
          userTold: true,
        });
      } else {
        expect(passes).toHaveLength(0);
        expect((close as PromiseFulfilledResult<{ userTold: boolean }>).value).toEqual({
          userTold: false,
        });
      }
      expect(await caseStatus(caseId)).toBe("CLOSED");
      expect(await usablePasses(user.id)).toBe(0);
    }
  });

  it("issuing a pass racing revoke-all on the case: a pass issued first is voided, or the issue is refused on the revoked case", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, user, caseId } = await verifiedStandardCase();
      const [issue, revoke] = await race(
        () => issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
        () =>
          revokePasskeys({
            actor: agent,
            userId: user.id,
            request: { scope: "ALL" },
            reason: "STOLEN",
            caseId,
          }),
        delay,
      );
      expect(
        outcome(revoke),
        `round ${round}: revocation never waits for, nor loses to, anything`,
      ).toBe("ok");
      expect(["ok", "SEQUENCE"]).toContain(outcome(issue));
      const passes = await db.temporaryAccessPass.findMany({ where: { caseId } });
      expect(passes).toHaveLength(outcome(issue) === "ok" ? 1 : 0);
      expect(await caseStatus(caseId)).toBe("REVOKED");
      expect(await usablePasses(user.id)).toBe(0);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    }
  });

  it("issuing a pass racing revoke-all from the user's page: both succeed, and a pass issued before the revocation is voided by it", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, user, caseId } = await verifiedStandardCase();
      const [issue, revoke] = await race(
        () => issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
        () =>
          revokePasskeys({
            actor: agent,
            userId: user.id,
            request: { scope: "ALL" },
            reason: "LOST",
          }),
        delay,
      );
      expect([outcome(issue), outcome(revoke)], `round ${round}`).toEqual(["ok", "ok"]);
      // Serial order, as the audit chain recorded it.
      const issued = await db.auditEvent.findFirstOrThrow({
        where: { caseId, action: "tap.issued" },
      });
      const revoked = await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      });
      const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
      if (issued.id < revoked.id) {
        expect(pass.voidedAt, "a pass issued before revoke-all must not survive it").not.toBeNull();
        expect(revoked.data).toMatchObject({ voidedPasses: 1 });
      } else {
        // Issued after the revocation (the usual next step once the lost passkeys are gone): it stands.
        expect(pass.voidedAt).toBeNull();
        expect(revoked.data).toMatchObject({ voidedPasses: 0 });
      }
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    }
  });

  it("a supervisor's approval racing the case's closing: an enrolment link sent first is voided by the close, or the approval is refused", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, user, caseId } = await verifiedHighRiskCase();
      expect(
        await requestReenrolment({
          actor: agent,
          caseId,
          revokePasskeyIds: [user.passkeys[0]!.id],
        }),
      ).toMatchObject({ status: "pending_approval" });
      const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
      const supervisor = await actor("SUPERVISOR");
      const [approve, close] = await race(
        () =>
          decideReenrolment({
            actor: supervisor,
            approvalId: approval.id,
            decision: "approve",
            reason: "Video ID matched",
          }),
        () => closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
        delay,
      );
      expect(outcome(close), `round ${round}: closing never loses`).toBe("ok");
      expect(["ok", "SEQUENCE"]).toContain(outcome(approve));
      const links = await db.enrolmentLink.findMany({ where: { caseId } });
      if (outcome(approve) === "ok") {
        expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
          "USED",
        );
        expect(links).toHaveLength(1);
        expect(links[0]).toMatchObject({ usedAt: null, voidReason: "case closed" });
      } else {
        expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
          "VOIDED",
        );
        expect(links).toHaveLength(0);
      }
      expect(await caseStatus(caseId)).toBe("CLOSED");
      expect(await usableEnrolmentLinks(user.id)).toBe(0);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(
        user.passkeys.length,
      );
    }
  });

  it("redeeming a pass racing the case's closing: a session opened first is ended by the close, or the pass is refused; never a live session on a closed case", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { agent, user, caseId, address, code } = await withPass();
      const [redeem, close] = await race(
        () => redeemTap({ email: address, code }),
        () => closeCase({ actor: agent, caseId, closeReason: "Caller hung up" }),
        delay,
      );
      expect(outcome(close), `round ${round}: closing never loses`).toBe("ok");
      expect(["ok", "INVALID_INPUT"]).toContain(outcome(redeem));
      const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
      if (outcome(redeem) === "ok") {
        expect(pass.usedAt).not.toBeNull();
        expect(await db.auditEvent.count({ where: { caseId, action: "tap.redeemed" } })).toBe(1);
      } else {
        expect(pass).toMatchObject({ usedAt: null, voidReason: "case closed" });
        expect(await db.auditEvent.count({ where: { caseId, action: "tap.redeemed" } })).toBe(0);
      }
      expect((close as PromiseFulfilledResult<{ userTold: boolean }>).value).toEqual({
        userTold: true,
      });
      expect(await caseStatus(caseId)).toBe("CLOSED");
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect(await usablePasses(user.id)).toBe(0);
    }
  });

  it("a registration through an enrolment link racing revoke-all: a passkey registered first is revoked too, or the registration is refused; never a live passkey", async () => {
    for (const [round, delay] of SCHEDULE.entries()) {
      const { user } = await userWithManager({ passkeys: 2 });
      const { agent, caseId } = await verifiedStandardCase({ userId: user.id });
      const lost = user.passkeys[0]!.id;
      expect(
        await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [lost] }),
      ).toMatchObject({ status: "link_sent" });
      const grant = {
        kind: "link" as const,
        token: linkToken(
          (await messageOfKind(user.emails[0]!.address, "enrolment.link", caseId)).text,
          "enrol",
        ),
      };
      const options = await startPasskeyRegistration({ grant });
      const newKey = softwarePasskey();
      const response = newKey.register(options.challenge);

      const [registration, revoke] = await race(
        () => finishPasskeyRegistration({ grant, response }),
        () =>
          revokePasskeys({
            actor: agent,
            userId: user.id,
            request: { scope: "ALL" },
            reason: "STOLEN",
          }),
        delay,
      );
      expect(outcome(revoke), `round ${round}: revocation never loses`).toBe("ok");
      expect(["ok", "SEQUENCE", "UNAUTHENTICATED"]).toContain(outcome(registration));
      const registered = await db.passkey.findUnique({ where: { credentialId: newKey.id } });
      const link = await db.enrolmentLink.findFirstOrThrow({ where: { caseId } });
      if (outcome(registration) === "ok") {
        expect(registered?.status).toBe("REVOKED");
        expect(link.usedAt).not.toBeNull();
        expect(await caseStatus(caseId)).toBe("REENROLLED");
      } else {
        expect(registered).toBeNull();
        expect(link).toMatchObject({ usedAt: null, voidReason: "all passkeys revoked (stolen)" });
        expect(await caseStatus(caseId)).toBe("VERIFIED");
      }
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
      expect(await usableEnrolmentLinks(user.id)).toBe(0);
    }
  });
});
