import "server-only";
import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/lib/db";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import { resumeWorkforceSession } from "./resume-workforce-session";

/**
 * Begins a passkey registration for the signed-in workforce user: user verification and a
 * discoverable credential required, existing passkeys excluded, and the challenge stored
 * server-side, bound to this session, for one use within the ceremony timeout.
 */
export async function startPasskeyRegistration(input: { sessionToken: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const session = await resumeWorkforceSession(input.sessionToken);
  if (!session) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Use your pass again, or call the service desk.");
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: session.user.id },
    select: {
      name: true,
      webauthnUserId: true,
      emails: { where: { isPrimary: true }, select: { address: true } },
      passkeys: { where: { status: "ACTIVE" }, select: { credentialId: true, transports: true } },
    },
  });
  const options = await generateRegistrationOptions({
    rpName: RELYING_PARTY.name,
    rpID: RELYING_PARTY.id,
    userID: new Uint8Array(user.webauthnUserId),
    userName: user.emails[0]?.address ?? user.name,
    userDisplayName: user.name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: user.passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "register",
      userId: session.user.id,
      sessionId: session.id,
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

type AuthenticatorTransport = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
