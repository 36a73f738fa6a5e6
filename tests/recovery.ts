/**
 * Helpers for recovery tests: staff as actors, and cases walked through the real use cases.
 */
import type { StaffRole } from "@/lib/domain/roles";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { issueTap } from "@/lib/server/issue-tap";
import { redeemTap } from "@/lib/server/redeem-tap";
import { openCase } from "@/lib/server/open-case";
import { recordStep } from "@/lib/server/record-step";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { unseal } from "@/lib/server/sealed";
import { sendStepLink } from "@/lib/server/send-step-link";
import { auditedTransaction, type Tx } from "@/lib/server/audit";
import { newToken } from "@/lib/server/secrets";
import { db } from "./db";
import { createStaff, createWorkforceUser } from "./factories";

export async function actor(role: StaffRole = "AGENT"): Promise<CurrentStaff> {
  const staff = await createStaff(db, { role });
  return {
    id: staff.id,
    name: staff.name,
    email: staff.email,
    role,
    team: staff.team,
    sessionExpires: new Date(Date.now() + 60_000),
  };
}

/** A user with a manager of record (both with verified addresses), optionally a personal address. */
export async function userWithManager(overrides: Parameters<typeof createWorkforceUser>[1] = {}) {
  const manager = await createWorkforceUser(db, {
    name: `Manager ${Math.random().toString(36).slice(2, 7)}`,
    passkeys: 0,
  });
  const user = await createWorkforceUser(db, { managerId: manager.id, ...overrides });
  return { user, manager };
}

/** The last queued message to an address, opened (tests only: the app never reads bodies back). */
export async function lastMessageTo(address: string) {
  const message = await db.outboxMessage.findFirstOrThrow({
    where: { toAddress: address },
    orderBy: { createdAt: "desc" },
  });
  return { ...message, text: unseal(message.body) };
}

export async function confirmAsManager(
  caseId: string,
  agent: CurrentStaff,
  managerAddress: string,
) {
  await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
  const { text } = await lastMessageTo(managerAddress);
  const token = text.match(/\/confirm\/([A-Za-z0-9_-]{43})/)![1]!;
  return answerManagerConfirmation({ token, answer: "confirm" });
}

/** A standard-tier case verified by callback, employee record and the manager's confirmation. */
export async function verifiedStandardCase(
  options: { personalEmail?: boolean; userId?: string } = {},
) {
  const agent = await actor("AGENT");
  const { user, manager } = options.userId
    ? await withManager(options.userId)
    : await userWithManager();
  if (options.personalEmail) {
    await db.workforceEmail.create({
      data: {
        userId: user.id,
        address: `personal-${user.id.slice(0, 8)}@personal.example`,
        kind: "personal",
        verified: true,
      },
    });
  }
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "Lost my phone on the train",
  });
  await recordStep({
    actor: agent,
    caseId,
    kind: "CALLBACK",
    outcome: "PASSED",
    note: "Answered on the number of record",
  });
  await recordStep({ actor: agent, caseId, kind: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  return { agent, user, manager, caseId };
}

/** An existing user, given a manager of record if they have none. */
async function withManager(userId: string) {
  const existing = await db.workforceUser.findUniqueOrThrow({
    where: { id: userId },
    include: { emails: true },
  });
  const manager = existing.managerId
    ? await db.workforceUser.findUniqueOrThrow({
        where: { id: existing.managerId },
        include: { emails: true },
      })
    : await createWorkforceUser(db, {
        name: `Manager ${Math.random().toString(36).slice(2, 7)}`,
        passkeys: 0,
      });
  const user = await db.workforceUser.update({
    where: { id: userId },
    data: { managerId: manager.id },
    include: { emails: true, passkeys: true },
  });
  return { user, manager };
}

/** The pass in the last message to `address`, as the user would type it. */
export async function passIn(address: string) {
  const text = (await lastMessageTo(address)).text;
  return normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
}

/**
 * A session opened by redeeming a real pass (verified case → pass → redemption), the only way
 * such a session comes to be: it may enrol one passkey.
 */
export async function redeemedPassSession(options: { userId?: string } = {}) {
  const { agent, user, caseId } = await verifiedStandardCase({ userId: options.userId });
  const address = user.emails.find((e) => e.isPrimary)?.address ?? user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  const session = await redeemTap({ email: address, code: await passIn(address) });
  return {
    agent,
    user,
    caseId,
    address,
    token: session.token,
    grant: { kind: "session" as const, token: session.token },
  };
}

// ---------------------------------------------------------------------------
// Helpers for the stop-path, race and team-scope tests (tests/integration). Imports are kept
// with the helpers that need them (ES imports are hoisted wherever they are written).
// ---------------------------------------------------------------------------

import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { softwarePasskey } from "./software-authenticator";

/** The newest queued message of one kind to `address` (for one case, when given), opened. */
export async function messageOfKind(address: string, kind: string, caseId?: string) {
  const message = await db.outboxMessage.findFirstOrThrow({
    where: { toAddress: address, kind, ...(caseId ? { caseId } : {}) },
    orderBy: { createdAt: "desc" },
  });
  return { ...message, text: unseal(message.body) };
}

/** The one-time token of a /confirm/, /prove/, /enrol/ or /report/ link in a message body. */
export function linkToken(text: string, path: "confirm" | "prove" | "enrol" | "report"): string {
  const match = text.match(new RegExp(`/${path}/([A-Za-z0-9_-]{43})`));
  if (!match) throw new Error(`no /${path}/ link in the message`);
  return match[1]!;
}

/** A high-risk case verified by callback, photo ID, employee record and the manager (the user is created unless given). */
export async function verifiedHighRiskCase(options: { userId?: string; passkeys?: number } = {}) {
  const agent = await actor("AGENT");
  const { user, manager } = options.userId
    ? await withManager(options.userId)
    : await userWithManager({ riskTier: "HIGH_RISK", passkeys: options.passkeys ?? 2 });
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "VIDEO",
    callerClaim: "Lost my laptop and phone",
  });
  for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
    await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  return { agent, user, manager, caseId };
}

/**
 * A user who holds a real (software) passkey, enrolled the only way there is: a verified case,
 * a pass, its redemption and a registration. That first case ends REENROLLED.
 */
export async function userWithSoftwarePasskey() {
  const created = await createWorkforceUser(db, { passkeys: 0 });
  const { grant, caseId } = await redeemedPassSession({ userId: created.id });
  const options = await startPasskeyRegistration({ grant });
  const passkey = softwarePasskey();
  await finishPasskeyRegistration({ grant, response: passkey.register(options.challenge) });
  const { user, manager } = await withManager(created.id);
  return { user, manager, passkey, firstCaseId: caseId };
}

/** Signs `user` in with their software passkey, as /account does; returns the session's token. */
export async function signInWithPasskey(
  user: { webauthnUserId: Uint8Array },
  passkey: ReturnType<typeof softwarePasskey>,
) {
  const options = await startWorkforceSignIn();
  const { token } = await finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
  return token;
}

/** A self-service case (a recovery code's, decision 037) for `userId`, opened directly. */
export async function selfServiceCase(userId: string) {
  const agent = await actor("AGENT");
  return db.recoveryCase.create({
    data: {
      userId,
      agentId: agent.id,
      team: "Service Desk North",
      reason: "LOST_DEVICE",
      channel: "SELF_SERVICE",
      riskTier: "STANDARD",
      policyVersion: 1,
    },
  });
}

const inAnHour = () => new Date(Date.now() + 3600_000);

/** A session as a redeemed recovery code leaves it (about `caseId`), with an open ceremony of it. */
export async function codeSession(userId: string, caseId: string) {
  const session = await db.workforceSession.create({
    data: { userId, tokenHash: newToken(), method: "code", caseId, expiresAt: inAnHour() },
  });
  const challenge = await db.webAuthnChallenge.create({
    data: {
      challenge: newToken(),
      purpose: "register",
      sessionId: session.id,
      expiresAt: inAnHour(),
    },
  });
  return { session, challenge };
}

/** A session a passkey sign-in left. */
export async function passkeySession(userId: string) {
  return db.workforceSession.create({
    data: { userId, tokenHash: newToken(), method: "passkey", expiresAt: inAnHour() },
  });
}

/**
 * Runs `work` in an audited transaction whose session lives at UTC+12:45 (or +13:45): raw SQL
 * writing Prisma's DateTime columns must write the instant whatever the session's time zone.
 */
export function inFarTimeZone<T>(work: (tx: Tx) => Promise<T>) {
  return auditedTransaction(db, async (tx) => {
    await tx.$executeRaw`SET LOCAL TIME ZONE 'Pacific/Chatham'`;
    return work(tx);
  });
}
