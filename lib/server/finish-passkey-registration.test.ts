import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { redeemedPassSession } from "@/tests/recovery";
import { finishPasskeyRegistration } from "./finish-passkey-registration";
import { hashToken } from "./secrets";
import { startPasskeyRegistration } from "./start-passkey-registration";

async function session(minutes = 15) {
  const created = await createWorkforceUser(db, { passkeys: 2 });
  const { token } = await redeemedPassSession({ userId: created.id });
  await db.workforceSession.update({
    where: { tokenHash: hashToken(token) },
    data: { expiresAt: new Date(Date.now() + minutes * 60_000) },
  });
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: created.id },
    include: { passkeys: true },
  });
  return { user, token };
}

/** A response whose client data names `challenge`; the challenge is checked before any signature. */
function responseFor(challenge: string): RegistrationResponseJSON {
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: "webauthn.create", challenge, origin: "http://localhost:3000" }),
  ).toString("base64url");
  return {
    id: "AAAA",
    rawId: "AAAA",
    type: "public-key",
    response: { clientDataJSON, attestationObject: "AAAA" },
    clientExtensionResults: {},
  };
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("passkey registration", () => {
  it("asks for user verification and a discoverable credential, excludes existing passkeys, and stores the challenge", async () => {
    const { user, token } = await session();
    const options = await startPasskeyRegistration({ grant: { kind: "session", token } });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });
    expect(options.excludeCredentials?.map((c) => c.id).sort()).toEqual(
      user.passkeys.map((p) => p.credentialId).sort(),
    );
    expect(options.rp).toEqual({ name: "Northwind", id: "localhost" });
    expect(Buffer.from(options.user.id, "base64url")).toEqual(Buffer.from(user.webauthnUserId));
    expect(
      await db.webAuthnChallenge.findUniqueOrThrow({ where: { challenge: options.challenge } }),
    ).toMatchObject({ purpose: "register", userId: user.id, usedAt: null });
  });

  it("refuses a session that has expired", async () => {
    const { token } = await session(-1);
    expect(
      (await refused(startPasskeyRegistration({ grant: { kind: "session", token } }))).code,
    ).toBe("UNAUTHENTICATED");
  });

  it.each([
    ["a challenge the server never issued", async () => "bm90LWlzc3VlZA"],
    [
      "a challenge issued to another session",
      async () =>
        (
          await startPasskeyRegistration({
            grant: { kind: "session", token: (await session()).token },
          })
        ).challenge,
    ],
  ])("refuses %s and audits it", async (_label, challengeFor) => {
    const { user, token } = await session();
    const error = await refused(
      finishPasskeyRegistration({
        grant: { kind: "session", token },
        response: responseFor(await challengeFor()),
      }),
    );
    expect(error.code).toBe("SEQUENCE");
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(2);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "passkey.enrol_refused",
      outcome: "REFUSED",
      data: { detail: "challenge unknown, used, expired or for another grant" },
    });
  });

  it("uses a challenge once, even when the response is bad, and fails closed on verification", async () => {
    const { user, token } = await session();
    const { challenge } = await startPasskeyRegistration({ grant: { kind: "session", token } });
    const first = await refused(
      finishPasskeyRegistration({
        grant: { kind: "session", token },
        response: responseFor(challenge),
      }),
    );
    expect(first.code).toBe("INVALID_INPUT");
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "passkey.enrol_refused",
      data: { detail: expect.stringMatching(/^verification failed/) },
    });
    const replay = await refused(
      finishPasskeyRegistration({
        grant: { kind: "session", token },
        response: responseFor(challenge),
      }),
    );
    expect(replay.code).toBe("SEQUENCE");
  });

  it("refuses an expired challenge", async () => {
    const { token } = await session();
    const { challenge } = await startPasskeyRegistration({ grant: { kind: "session", token } });
    await db.webAuthnChallenge.update({
      where: { challenge },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      (
        await refused(
          finishPasskeyRegistration({
            grant: { kind: "session", token },
            response: responseFor(challenge),
          }),
        )
      ).code,
    ).toBe("SEQUENCE");
  });
});
