import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, lastMessageTo, userWithManager } from "@/tests/recovery";
import { openCase } from "./open-case";
import { finishPasskeyProof, getPasskeyProof, startPasskeyProof } from "./passkey-proof";
import { sendStepLink } from "./send-step-link";

async function proofLink() {
  const agent = await actor();
  const { user } = await userWithManager({ passkeys: 2 });
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
  return { agent, user, caseId, token };
}

function assertion(
  challenge: string,
  credentialId: string,
  userHandle?: string,
): AuthenticationResponseJSON {
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: "webauthn.get", challenge, origin: "http://localhost:3000" }),
  ).toString("base64url");
  return {
    id: credentialId,
    rawId: credentialId,
    type: "public-key",
    response: {
      clientDataJSON,
      authenticatorData: "AAAA",
      signature: "AAAA",
      ...(userHandle ? { userHandle } : {}),
    },
    clientExtensionResults: {},
  };
}

async function refusedWith(promise: Promise<unknown>, detail: string | RegExp, caseId: string) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  const event = await db.auditEvent.findFirstOrThrow({
    where: { caseId },
    orderBy: { id: "desc" },
  });
  expect(event).toMatchObject({ action: "step.link_refused", outcome: "REFUSED" });
  expect((event.data as { detail: string }).detail).toMatch(detail);
  expect(
    (await db.checklistStep.findFirstOrThrow({ where: { run: { caseId }, kind: "PASSKEY_PROOF" } }))
      .outcome,
  ).toBe("PENDING");
}

describe("proof of a remaining passkey", () => {
  it("asks only for this user's active passkeys, with user verification", async () => {
    const { user, token } = await proofLink();
    expect(await getPasskeyProof(token)).toEqual({ name: user.name });
    const options = await startPasskeyProof({ token });
    expect(options.userVerification).toBe("required");
    expect(options.rpId).toBe("localhost");
    expect(options.allowCredentials?.map((c) => c.id).sort()).toEqual(
      user.passkeys.map((p) => p.credentialId).sort(),
    );
  });

  it("refuses another user's passkey", async () => {
    const { caseId, token } = await proofLink();
    const stranger = await createWorkforceUser(db, { passkeys: 1 });
    const { challenge } = await startPasskeyProof({ token });
    await refusedWith(
      finishPasskeyProof({
        token,
        response: assertion(challenge, stranger.passkeys[0]!.credentialId),
      }),
      "credential not bound to this user, or not active",
      caseId,
    );
  });

  it("refuses a user handle that is not the user's", async () => {
    const { user, caseId, token } = await proofLink();
    const { challenge } = await startPasskeyProof({ token });
    const otherHandle = Buffer.alloc(32, 7).toString("base64url");
    await refusedWith(
      finishPasskeyProof({
        token,
        response: assertion(challenge, user.passkeys[0]!.credentialId, otherHandle),
      }),
      "user handle does not match",
      caseId,
    );
  });

  it("refuses a challenge from another link, and a bad signature fails closed", async () => {
    const { user, caseId, token } = await proofLink();
    const other = await proofLink();
    const { challenge: foreign } = await startPasskeyProof({ token: other.token });
    await refusedWith(
      finishPasskeyProof({ token, response: assertion(foreign, user.passkeys[0]!.credentialId) }),
      "challenge unknown, used, expired or for another ceremony",
      caseId,
    );
    const { challenge } = await startPasskeyProof({ token });
    await refusedWith(
      finishPasskeyProof({ token, response: assertion(challenge, user.passkeys[0]!.credentialId) }),
      /^verification failed/,
      caseId,
    );
  });

  it("refuses a revoked passkey", async () => {
    const { user, caseId, token } = await proofLink();
    await db.passkey.update({
      where: { id: user.passkeys[0]!.id },
      data: { status: "REVOKED", revokedAt: new Date(), revokedReason: "LOST" },
    });
    const { challenge } = await startPasskeyProof({ token });
    await refusedWith(
      finishPasskeyProof({ token, response: assertion(challenge, user.passkeys[0]!.credentialId) }),
      "credential not bound to this user, or not active",
      caseId,
    );
  });

  it("is not offered to a user without an active passkey", async () => {
    const agent = await actor();
    const { user } = await userWithManager({ passkeys: 0 });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "REPLACED_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    const error = await sendStepLink({ actor: agent, caseId, kind: "PASSKEY_PROOF" }).catch(
      (e: unknown) => e,
    );
    expect((error as DomainError).code).toBe("CONFLICT");
  });
});
