/**
 * Passkey ceremonies with a real (software) authenticator against PostgreSQL: what is stored,
 * what user verification and uniqueness demand, and the races docs/security-requirements.md C6 and D2 describe.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, confirmAsManager, redeemedPassSession, userWithManager } from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";
import { decideReenrolment } from "./decide-approval";
import { finishPasskeyRegistration } from "./finish-passkey-registration";
import { openCase } from "./open-case";
import { recordStep } from "./record-step";
import { requestReenrolment } from "./request-reenrolment";
import { revokePasskeys } from "./revoke-passkeys";
import { startPasskeyRegistration } from "./start-passkey-registration";
import { finishWorkforceSignIn, startWorkforceSignIn } from "./workforce-sign-in";

async function tapSession(userId?: string) {
  const id = userId ?? (await createWorkforceUser(db, { passkeys: 0 })).id;
  const { grant } = await redeemedPassSession({ userId: id });
  const user = await db.workforceUser.findUniqueOrThrow({ where: { id } });
  return { user, grant };
}

async function enrol(
  passkey = softwarePasskey(),
  session?: Awaited<ReturnType<typeof tapSession>>,
) {
  const { user, grant } = session ?? (await tapSession());
  const options = await startPasskeyRegistration({ grant });
  await finishPasskeyRegistration({ grant, response: passkey.register(options.challenge) });
  return { user, passkey };
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("registration with a real authenticator", () => {
  it("lets a passkey sign-in session enrol only while freshly verified, one passkey per verification", async () => {
    // The new rule (docs/decisions/016; lib/server/self-service-passkeys.test.ts has the rest).
    const { user, passkey } = await enrol();
    const first = await startWorkforceSignIn();
    const { token } = await finishWorkforceSignIn({
      response: passkey.authenticate(first.challenge, user.webauthnUserId),
    });
    const grant = { kind: "session" as const, token };
    // The sign-in was user-verified: the session may add one passkey at once.
    const options = await startPasskeyRegistration({ grant });
    await finishPasskeyRegistration({
      grant,
      response: softwarePasskey().register(options.challenge),
    });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(2);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.enrolled" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ caseId: null, data: { via: "passkey" } });
    // That used the verification up: a second one is refused (audited) until it's confirmed again.
    const before = await db.auditEvent.count({ where: { outcome: "REFUSED" } });
    expect((await refused(startPasskeyRegistration({ grant }))).code).toBe("UNAUTHENTICATED");
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(2);
    expect(await db.auditEvent.count({ where: { outcome: "REFUSED" } })).toBe(before + 1);
  });

  it("stores the credential with its metadata", async () => {
    const { user, passkey } = await enrol();
    expect(
      await db.passkey.findUniqueOrThrow({ where: { credentialId: passkey.id } }),
    ).toMatchObject({
      userId: user.id,
      status: "ACTIVE",
      aaguid: "00000000-0000-0000-0000-000000000000",
      modelName: "Unknown authenticator",
      backedUp: false,
      transports: ["internal"],
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.enrolled" },
      }),
    ).toMatchObject({ data: { via: "tap", backedUp: false } });
  });

  it("refuses an authenticator that did not verify the user", async () => {
    const { user, grant } = await tapSession();
    const options = await startPasskeyRegistration({ grant });
    const error = await refused(
      finishPasskeyRegistration({
        grant,
        response: softwarePasskey({ userVerified: false }).register(options.challenge),
      }),
    );
    expect(error.code).toBe("INVALID_INPUT");
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "passkey.enrol_refused",
      data: { detail: expect.stringMatching(/verification failed: .*user could not be verified/i) },
    });
  });

  it("refuses a credential ID already registered, for anyone", async () => {
    const { passkey } = await enrol();
    const { user: other, grant } = await tapSession();
    const options = await startPasskeyRegistration({ grant });
    const error = await refused(
      finishPasskeyRegistration({ grant, response: passkey.register(options.challenge) }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(await db.passkey.count({ where: { userId: other.id } })).toBe(0);
  });

  it("refuses a replayed registration response", async () => {
    const { user, grant } = await tapSession();
    const options = await startPasskeyRegistration({ grant });
    const response = softwarePasskey().register(options.challenge);
    await finishPasskeyRegistration({ grant, response });
    // The pass yielded its one passkey: its session is gone, so the replay finds no grant at all.
    expect((await refused(finishPasskeyRegistration({ grant, response }))).code).toBe(
      "UNAUTHENTICATED",
    );
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
  });

  it("lets one pass yield exactly one passkey, even with a second ceremony started before the first finished", async () => {
    const { user, grant } = await tapSession();
    const first = await startPasskeyRegistration({ grant });
    const second = await startPasskeyRegistration({ grant });
    await finishPasskeyRegistration({
      grant,
      response: softwarePasskey().register(first.challenge),
    });
    expect(
      (
        await refused(
          finishPasskeyRegistration({
            grant,
            response: softwarePasskey().register(second.challenge),
          }),
        )
      ).code,
    ).toBe("UNAUTHENTICATED");
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
    expect(
      await db.temporaryAccessPass.count({ where: { userId: user.id, usedAt: { not: null } } }),
    ).toBe(1);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("sign-in with a real authenticator", () => {
  it("signs in with user verification, and refuses a clone whose counter went backwards", async () => {
    const { user, passkey } = await enrol();
    const clone = passkey.clone();
    const first = await startWorkforceSignIn();
    await finishWorkforceSignIn({
      response: passkey.authenticate(first.challenge, user.webauthnUserId),
    });
    const second = await startWorkforceSignIn();
    await expect(
      finishWorkforceSignIn({
        response: clone.authenticate(second.challenge, user.webauthnUserId),
      }),
    ).rejects.toThrow(DomainError);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "workforce.sign_in_refused",
      data: { detail: expect.stringMatching(/counter/i) },
    });
  });

  it("refuses a discoverable sign-in without the owner's user handle", async () => {
    const { passkey } = await enrol();
    const options = await startWorkforceSignIn();
    await expect(
      finishWorkforceSignIn({ response: passkey.authenticate(options.challenge) }),
    ).rejects.toThrow(DomainError);
    const wrong = await startWorkforceSignIn();
    await expect(
      finishWorkforceSignIn({
        response: passkey.authenticate(wrong.challenge, Buffer.alloc(32, 1)),
      }),
    ).rejects.toThrow(DomainError);
  });

  it("keeps the highest counter when two sign-ins land at once", async () => {
    const { user, passkey } = await enrol();
    const [a, b] = [await startWorkforceSignIn(), await startWorkforceSignIn()];
    const responses = [
      passkey.authenticate(a.challenge, user.webauthnUserId),
      passkey.authenticate(b.challenge, user.webauthnUserId),
    ];
    await Promise.allSettled(responses.map((response) => finishWorkforceSignIn({ response })));
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { credentialId: passkey.id } })).counter,
    ).toBe(2n);
  });
});

describe("revoke-all racing an approved re-enrolment", () => {
  it("leaves no live passkey, whichever commits first", async () => {
    for (let round = 0; round < 4; round++) {
      const agent = await actor("AGENT");
      const { user, manager } = await userWithManager({ riskTier: "HIGH_RISK", passkeys: 1 });
      const { caseId } = await openCase({
        actor: agent,
        userId: user.id,
        reason: "STOLEN_DEVICE",
        channel: "VIDEO",
        callerClaim: "",
      });
      for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
        await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
      await confirmAsManager(caseId, agent, manager.emails[0]!.address);
      await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [user.passkeys[0]!.id] });
      const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
      await decideReenrolment({
        actor: await actor("SUPERVISOR"),
        approvalId: approval.id,
        decision: "approve",
        reason: "ok",
      });
      const { text } = await (
        await import("@/tests/recovery")
      ).lastMessageTo(user.emails[0]!.address);
      const grant = {
        kind: "link" as const,
        token: text.match(/\/enrol\/([A-Za-z0-9_-]{43})/)![1]!,
      };
      const options = await startPasskeyRegistration({ grant });
      const response = softwarePasskey().register(options.challenge);

      await Promise.allSettled([
        finishPasskeyRegistration({ grant, response }),
        revokePasskeys({
          actor: agent,
          userId: user.id,
          request: { scope: "ALL" },
          reason: "STOLEN",
        }),
      ]);

      expect(
        await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } }),
        `round ${round}`,
      ).toBe(0);
      expect(
        await db.enrolmentLink.count({ where: { userId: user.id, usedAt: null, voidedAt: null } }),
      ).toBe(0);
    }
  });
});
