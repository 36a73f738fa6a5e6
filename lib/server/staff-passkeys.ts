import "server-only";
/**
 * Staff passkeys: the relying party's second population (docs/decisions/015-staff-step-up.md).
 * A staff member enrols, lists and removes their own, and confirms it's them with one before a
 * high-risk act. They live in their own table (StaffPasskey), their ceremonies use their own
 * challenge purposes ("staff-register", "staff-step-up") bound to the staff member and the
 * session, and their user handle is an opaque per-staff value: a staff passkey never verifies as
 * a workforce passkey, nor the other way round.
 */
import { createHmac } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { Prisma } from "@/generated/prisma/client";
import { modelNameForAaguid } from "@/lib/domain/authenticator-models";
import { DomainError } from "@/lib/domain/errors";
import { mayManageStaffPasskeys, type PasskeyManagement } from "@/lib/domain/step-up";
import { db } from "@/lib/db";
import { env, stepUpWindowMs } from "@/lib/env";
import { recordAudit, staffActor, type Tx, auditedTransaction } from "./audit";
import { CEREMONY_TIMEOUT_MS, consumeChallenge, RELYING_PARTY } from "./relying-party";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { checkStaffStepUp, type StaffSessionFacts } from "./staff-step-up";

const REGISTER_FAILED = "The passkey could not be set up. Try again from this page.";
const STEP_UP_FAILED =
  "That did not confirm it's you. Use one of your staff passkeys on this page, and try again.";
const NO_PASSKEY = "You have no staff passkey yet. Set one up on the Your passkeys page first.";

/**
 * The WebAuthn user handle of a staff member: an HMAC of their ID under the console's secret,
 * so it is stable, opaque (no name, no email, not the database ID) and never equal to a workforce
 * user's random handle. Rotating NEXTAUTH_SECRET changes it: the step-up check then refuses the
 * old passkeys, and staff set up new ones (decision 015).
 */
export function staffUserHandle(staffId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    createHmac("sha256", env.NEXTAUTH_SECRET ?? "")
      .update(`staff-webauthn-user-handle:${staffId}`)
      .digest(),
  );
}

export type StaffPasskeyView = {
  id: string;
  model: string;
  backedUp: boolean;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
};

/** The staff member's active staff passkeys, newest first. */
/** Whether the staff member ever had a staff passkey, removed ones included (lib/domain/step-up.ts). */
export async function hasEverHadStaffPasskey(staffId: string): Promise<boolean> {
  return (await db.staffPasskey.count({ where: { staffId } })) > 0;
}

export async function listStaffPasskeys(staffId: string): Promise<StaffPasskeyView[]> {
  const rows = await db.staffPasskey.findMany({
    where: { staffId, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      aaguid: true,
      backedUp: true,
      transports: true,
      createdAt: true,
      lastUsedAt: true,
    },
  });
  return rows.map(({ aaguid, ...row }) => ({
    ...row,
    model: modelNameForAaguid(aaguid) ?? "Passkey",
  }));
}

/** The management rule (lib/domain/step-up.ts) for this session, now. */
async function management(
  client: Pick<Tx, "staffPasskey">,
  staff: CurrentStaff,
  session: StaffSessionFacts,
  act: "add" | "remove",
  now: Date,
): Promise<PasskeyManagement> {
  const activePasskeys = await client.staffPasskey.count({
    where: { staffId: staff.id, revokedAt: null },
  });
  const everHad = await client.staffPasskey.count({ where: { staffId: staff.id } });
  return mayManageStaffPasskeys({
    act,
    activePasskeys,
    everHadPasskey: everHad > 0,
    verifiedAt: session.verifiedAt,
    sessionStartedAt: session.createdAt,
    now,
    windowMs: stepUpWindowMs,
  });
}

/** Refuses (audited as a step-up refusal) when the session may not manage staff passkeys now. */
async function requireManagement(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts;
  act: "add" | "remove";
  request?: RequestContext;
}): Promise<PasskeyManagement & { ok: true }> {
  const now = new Date();
  const allowed = await management(db, input.staff, input.session, input.act, now);
  if (allowed.ok) return allowed;
  const check = await checkStaffStepUp({
    staff: input.staff,
    session: input.session,
    attempted: input.act === "add" ? "add a staff passkey" : "remove a staff passkey",
    path: "/passkeys",
    request: input.request,
    now,
  });
  throw new DomainError(
    "STEP_UP_REQUIRED",
    check.ok
      ? "Confirm it's you with your passkey, then try again."
      : check.next === "confirm"
        ? check.message
        : "Sign out and in again, then set up your first passkey within a few minutes.",
  );
}

function sessionOf(staff: CurrentStaff, session: StaffSessionFacts | null): StaffSessionFacts {
  if (!session || session.staffId !== staff.id)
    throw new DomainError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  return session;
}

/**
 * Begins adding a staff passkey: user verification required, a discoverable credential
 * preferred, the staff member's passkeys excluded, the challenge stored for this staff member
 * and session, for one use within the timeout.
 */
export async function startStaffPasskeyRegistration(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
  request?: RequestContext;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const session = sessionOf(input.staff, input.session);
  await requireManagement({ staff: input.staff, session, act: "add", request: input.request });
  const existing = await db.staffPasskey.findMany({
    where: { staffId: input.staff.id, revokedAt: null },
    select: { credentialId: true, transports: true },
  });
  const options = await generateRegistrationOptions({
    rpName: RELYING_PARTY.name,
    rpID: RELYING_PARTY.id,
    userID: staffUserHandle(input.staff.id),
    userName: input.staff.email,
    userDisplayName: `${input.staff.name} (staff)`,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "staff-register",
      staffId: input.staff.id,
      sessionId: session.id,
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

/**
 * Completes adding a staff passkey: the challenge (this staff member, this session, unused,
 * unexpired) is consumed once, the response verified with user verification required, the rule
 * checked again (the window may have passed), and a credential ID known anywhere, to staff or to
 * the workforce, is refused. Audited either way.
 */
export async function finishStaffPasskeyRegistration(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
  response: RegistrationResponseJSON;
  request?: RequestContext;
}): Promise<{ model: string }> {
  const session = sessionOf(input.staff, input.session);
  const actor = staffActor(input.staff);
  const refuse = async (detail: string, code: "INVALID_INPUT" | "CONFLICT" = "INVALID_INPUT") => {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "staff.passkey_add_refused",
        outcome: "REFUSED",
        reason: code,
        actor,
        target: { type: "staff", id: input.staff.id },
        data: { detail: detail.slice(0, 300) },
        request: input.request,
      }),
    );
    return new DomainError(
      code,
      code === "CONFLICT" ? "That passkey is already registered." : REGISTER_FAILED,
    );
  };
  const challenge = await consumeChallenge(db, input.response.response.clientDataJSON, {
    purpose: "staff-register",
    staffId: input.staff.id,
    sessionId: session.id,
  });
  if (!challenge) throw await refuse("challenge unknown, used, expired or for another ceremony");
  const allowed = await requireManagement({
    staff: input.staff,
    session,
    act: "add",
    request: input.request,
  });
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: RELYING_PARTY.origin,
      expectedRPID: RELYING_PARTY.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw await refuse(`verification failed: ${String((error as Error).message).slice(0, 200)}`);
  }
  if (!verification.verified) throw await refuse("verification failed");
  const info = verification.registrationInfo;
  const model = modelNameForAaguid(info.aaguid) ?? "Passkey";
  if ((await db.passkey.count({ where: { credentialId: info.credential.id } })) > 0)
    throw await refuse("the credential is a workforce passkey", "CONFLICT");
  try {
    await auditedTransaction(db, async (tx) => {
      await tx.staffPasskey.create({
        data: {
          staffId: input.staff.id,
          credentialId: info.credential.id,
          publicKey: new Uint8Array(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? [],
          aaguid: info.aaguid,
          backedUp: info.credentialBackedUp,
        },
      });
      await recordAudit(tx, {
        action: "staff.passkey_added",
        outcome: "ALLOWED",
        actor,
        target: { type: "staff", id: input.staff.id },
        data: {
          aaguid: info.aaguid,
          backedUp: info.credentialBackedUp,
          transports: info.credential.transports ?? [],
          via: allowed.via,
        },
        request: input.request,
      });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw await refuse("credential already registered", "CONFLICT");
    throw error;
  }
  return { model };
}

/** Removes one of the staff member's own passkeys (a fresh step-up, or a fresh sign-in). Audited. */
export async function removeStaffPasskey(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
  passkeyId: string;
  request?: RequestContext;
}): Promise<void> {
  const session = sessionOf(input.staff, input.session);
  const allowed = await requireManagement({
    staff: input.staff,
    session,
    act: "remove",
    request: input.request,
  });
  await auditedTransaction(db, async (tx) => {
    const removed = await tx.staffPasskey.updateMany({
      where: { id: input.passkeyId, staffId: input.staff.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (removed.count !== 1)
      throw new DomainError("NOT_FOUND", "That passkey is not one of yours, or is already gone.");
    await recordAudit(tx, {
      action: "staff.passkey_removed",
      outcome: "ALLOWED",
      actor: staffActor(input.staff),
      target: { type: "staff_passkey", id: input.passkeyId },
      data: { via: allowed.via },
      request: input.request,
    });
  });
}

/** Begins "Confirm it's you": an assertion with user verification, from one of the staff member's passkeys. */
export async function startStaffStepUp(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const session = sessionOf(input.staff, input.session);
  const passkeys = await db.staffPasskey.findMany({
    where: { staffId: input.staff.id, revokedAt: null },
    select: { credentialId: true, transports: true },
  });
  if (passkeys.length === 0) throw new DomainError("STEP_UP_REQUIRED", NO_PASSKEY);
  const options = await generateAuthenticationOptions({
    rpID: RELYING_PARTY.id,
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_MS,
    allowCredentials: passkeys.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "staff-step-up",
      staffId: input.staff.id,
      sessionId: session.id,
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

/**
 * Completes "Confirm it's you": the challenge (this staff member, this session) is consumed once;
 * the credential must be an active staff passkey of this staff member; a user handle, when sent,
 * must be theirs; signature, origin, RP ID and user verification are checked, the counter only
 * moves forward. Then the session's `verifiedAt` is now. Audited either way.
 */
export async function finishStaffStepUp(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
  response: AuthenticationResponseJSON;
  request?: RequestContext;
}): Promise<{ until: Date }> {
  const session = sessionOf(input.staff, input.session);
  const actor = staffActor(input.staff);
  const outcome = await auditedTransaction(db, async (tx) => {
    const checked = await verifyStaffAssertion(tx, input.staff.id, session.id, input.response);
    if (!checked.ok) {
      await recordAudit(tx, {
        action: "staff.step_up_refused",
        outcome: "REFUSED",
        reason: "INVALID_INPUT",
        actor,
        target: { type: "staff", id: input.staff.id },
        data: { detail: checked.detail.slice(0, 300) },
        request: input.request,
      });
      return checked;
    }
    const now = new Date();
    await tx.staffSession.update({ where: { id: session.id }, data: { verifiedAt: now } });
    await recordAudit(tx, {
      action: "staff.stepped_up",
      outcome: "ALLOWED",
      actor,
      target: { type: "staff", id: input.staff.id },
      data: { passkeyId: checked.passkeyId },
      request: input.request,
    });
    return { ok: true as const, until: new Date(now.getTime() + stepUpWindowMs) };
  });
  if (!outcome.ok) throw new DomainError("INVALID_INPUT", STEP_UP_FAILED);
  return { until: outcome.until };
}

async function verifyStaffAssertion(
  tx: Tx,
  staffId: string,
  sessionId: string,
  response: AuthenticationResponseJSON,
): Promise<{ ok: true; passkeyId: string } | { ok: false; detail: string }> {
  const challenge = await consumeChallenge(tx, response.response.clientDataJSON, {
    purpose: "staff-step-up",
    staffId,
    sessionId,
  });
  if (!challenge)
    return { ok: false, detail: "challenge unknown, used, expired or for another ceremony" };
  const passkey = await tx.staffPasskey.findUnique({ where: { credentialId: response.id } });
  if (!passkey || passkey.revokedAt !== null || passkey.staffId !== staffId)
    return { ok: false, detail: "not an active staff passkey of this staff member" };
  const userHandle = response.response.userHandle;
  if (
    userHandle &&
    !Buffer.from(userHandle, "base64url").equals(Buffer.from(staffUserHandle(staffId)))
  )
    return { ok: false, detail: "user handle does not match" };
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: RELYING_PARTY.origin,
      expectedRPID: RELYING_PARTY.id,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: Number(passkey.counter),
        transports: passkey.transports as AuthenticatorTransport[],
      },
    });
  } catch (error) {
    return {
      ok: false,
      detail: `verification failed: ${String((error as Error).message).slice(0, 200)}`,
    };
  }
  if (!verification.verified || !verification.authenticationInfo.userVerified)
    return { ok: false, detail: "verification failed" };
  const newCounter = BigInt(verification.authenticationInfo.newCounter);
  await tx.staffPasskey.updateMany({
    where: { id: passkey.id, counter: { lt: newCounter } },
    data: { counter: newCounter },
  });
  await tx.staffPasskey.update({ where: { id: passkey.id }, data: { lastUsedAt: new Date() } });
  return { ok: true, passkeyId: passkey.id };
}

type AuthenticatorTransport =
  "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
