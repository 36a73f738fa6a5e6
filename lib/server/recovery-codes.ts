import "server-only";
/**
 * Saved recovery codes (issue 15, part B; docs/decisions/037).
 *
 * - **Making a set** (`generateRecoveryCodes`): a passkey session, freshly verified, of a person
 *   whose tier the active policy allows codes for. The set replaces any live one in the same
 *   transaction, under the user's lock; the codes are returned once (to be shown once), stored
 *   only as SHA-256 hashes, and never audited or mailed. Every verified address is told.
 * - **Using one** (`redeemRecoveryCode`): a self-service recovery case, through the case unit of
 *   work: the code is the verification. Budgets per client and per account (unknown people
 *   exactly as known ones), equal timing, one answer for an unknown person and a wrong code. A
 *   right code is refused, audited, for a leaver, a hold, a stop, a tier that may not use codes,
 *   or anything that needs a second person, in the words a desk recovery uses; otherwise it is
 *   used up (a guarded UPDATE under the user's lock: of simultaneous uses exactly one wins), the
 *   case is verified and its factor issued (a short session that may enrol one passkey and mark
 *   passkeys lost), and every address is told with the "this wasn't me" link.
 * - **Marking passkeys lost** (`markPasskeysLost`) from that session: revoked at once (reason
 *   LOST) with their sessions, audited as `passkey.revoked` (Shared Signals credential-change).
 */
import { DomainError } from "@/lib/domain/errors";
import {
  recoveryCodeRedeemedNotice,
  recoveryCodesGeneratedNotice,
  recoveryCodesVoidedNotice,
  passkeysRevokedNotice,
} from "@/lib/domain/notifications";
import {
  afterWrongCode,
  codesAllowedFor,
  decideCodeGeneration,
  decideCodeRecovery,
  formatRecoveryCode,
  normalizeRecoveryCode,
  TIER_REFUSES_CODES,
} from "@/lib/domain/recovery-codes";
import { decideOpenCase, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { REVOCATION_REASON_LABELS } from "@/lib/domain/revocation";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { atLeast } from "./equal-timing";
import { clientKey, limitKey, spendOrRefuse } from "./rate-limit";
import { countRefusal } from "./refusal-tally";
import { openSelfServiceCase } from "./open-case";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashToken, newRecoveryCode, newToken } from "./secrets";

/** Every use of a code answers no sooner than this (a known and an unknown person alike). */
export const RECOVERY_CODE_MIN_MS = 400;

/** The one answer for an unknown person, a wrong code, a used code and a void set. */
export const CODE_NOT_VALID =
  "That employee ID or email and recovery code do not match. Check both, or call the service desk.";

const SESSION_ENDED =
  "Your session has ended. Sign in again with your passkey, or call the service desk.";

// ---------------------------------------------------------------------------------------------
// Making a set.

/** The live account session behind a token (hash lookup; expiry checked by the caller's rules). */
async function sessionFor(tx: Tx, token: string) {
  if (token.length < 32 || token.length > 128) return null;
  return tx.workforceSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      userId: true,
      method: true,
      caseId: true,
      expiresAt: true,
      lastSeenAt: true,
      verifiedAt: true,
    },
  });
}

function sessionLive(session: { expiresAt: Date; lastSeenAt: Date }, now: Date) {
  const idleMs = ACTIVE_POLICY.lifetimes.workforceIdleMinutes * 60_000;
  return session.expiresAt > now && now.getTime() - session.lastSeenAt.getTime() <= idleMs;
}

/**
 * Makes a new set of recovery codes for the person signed in with `token`, replacing any live
 * set. Returns the codes, formatted for reading, to be shown once.
 */
export async function generateRecoveryCodes(input: {
  token: string;
  request?: RequestContext;
}): Promise<{ codes: string[]; createdAt: Date }> {
  const head = await sessionFor(db as unknown as Tx, input.token);
  if (!head || !sessionLive(head, new Date()))
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: head.userId },
    select: { id: true, name: true },
  });
  const rules = ACTIVE_POLICY.recoveryCodes;
  return runUserWork(
    {
      userId: user.id,
      actor: {
        kind: "public",
        audit: { type: "WORKFORCE_USER", id: user.id, name: user.name },
      },
      attempted: "make recovery codes",
      refusalAction: "codes.generate_refused",
      request: input.request,
    },
    async ({ tx, now, actor, refuse }) => {
      // Re-read under the user's lock: a stop meanwhile ended the session.
      const session = await sessionFor(tx, input.token);
      if (!session || session.userId !== user.id || !sessionLive(session, now))
        return refuse({ ok: false, code: "UNAUTHENTICATED", message: SESSION_ENDED });
      const person = await tx.workforceUser.findUniqueOrThrow({
        where: { id: user.id },
        select: {
          riskTier: true,
          status: true,
          leavingOn: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      const holds = await tx.recoveryHold.count({ where: { userId: user.id, clearedAt: null } });
      const decision = decideCodeGeneration(
        ACTIVE_POLICY,
        {
          method: session.method,
          tier: person.riskTier,
          verifiedAt: session.verifiedAt,
          onHold: holds > 0,
          leaver: isLeaver(person, now),
          verifiedAddresses: person.emails.length,
        },
        now,
      );
      if (!decision.ok || !rules) return refuse(decision.ok ? notAllowed() : decision);

      const replaced = await tx.recoveryCodeSet.updateMany({
        where: { userId: user.id, replacedAt: null, voidedAt: null },
        data: { replacedAt: now },
      });
      const codes = Array.from({ length: rules.setSize }, () => newRecoveryCode());
      await tx.recoveryCodeSet.create({
        data: {
          userId: user.id,
          createdAt: now,
          codes: { create: codes.map((code) => ({ codeHash: hashToken(code) })) },
        },
      });
      // A new way in, like a passkey added: one fresh verification makes one set.
      await tx.workforceSession.update({ where: { id: session.id }, data: { verifiedAt: null } });
      await recordAudit(tx, {
        action: "codes.generated",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        target: { type: "user", id: user.id },
        data: { codes: codes.length, replaced: replaced.count > 0 },
        request: input.request,
      });
      const message = recoveryCodesGeneratedNotice({
        name: user.name,
        codes: codes.length,
        replaced: replaced.count > 0,
        madeAt: now,
      });
      for (const { address } of person.emails)
        await enqueueMessage(tx, { to: address, message, subjectUserId: user.id });
      return { ok: true, value: { codes: codes.map(formatRecoveryCode), createdAt: now } };
    },
  );
}

const notAllowed = () => ({
  ok: false as const,
  code: "FORBIDDEN" as const,
  message: TIER_REFUSES_CODES,
});

// ---------------------------------------------------------------------------------------------
// What the desk and the person see: that codes exist, never the codes.

export type RecoveryCodeSummary = { left: number; total: number; createdAt: Date } | null;

export async function getRecoveryCodeSummary(userId: string): Promise<RecoveryCodeSummary> {
  const set = await db.recoveryCodeSet.findFirst({
    where: { userId, replacedAt: null, voidedAt: null },
    select: {
      createdAt: true,
      codes: { select: { usedAt: true } },
    },
  });
  if (!set) return null;
  return {
    left: set.codes.filter((code) => !code.usedAt).length,
    total: set.codes.length,
    createdAt: set.createdAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Using a code.

/** An employee ID (E10042) or a work email, as typed. */
function findPerson(identity: string) {
  const typed = identity.trim();
  if (/^e\d{3,12}$/i.test(typed))
    return db.workforceUser.findUnique({
      where: { employeeId: typed.toUpperCase() },
      select: { id: true, name: true },
    });
  return db.workforceEmail
    .findFirst({
      where: { address: typed.toLowerCase(), verified: true },
      select: { user: { select: { id: true, name: true } } },
    })
    .then((email) => email?.user ?? null);
}

/**
 * Uses a recovery code: see the module comment. Returns the session token of the short session
 * it opens (may enrol one passkey and mark passkeys lost).
 */
export async function redeemRecoveryCode(input: {
  identity: string;
  code: string;
  request?: RequestContext;
}): Promise<{ token: string; userId: string; caseId: string; expiresAt: Date }> {
  return atLeast(RECOVERY_CODE_MIN_MS, () => redeem(input));
}

async function redeem(input: {
  identity: string;
  code: string;
  request?: RequestContext;
}): Promise<{ token: string; userId: string; caseId: string; expiresAt: Date }> {
  const person = await findPerson(input.identity);
  // One budget per person whichever way they are named (employee ID or email); an unknown name
  // has a budget of its own, spent exactly the same way, so the answers say nothing of who exists.
  const account = limitKey("recovery-code", person?.id ?? input.identity.trim().toLowerCase());
  await spendOrRefuse("codes.redeem_refused", [
    { limit: "recoveryCode.client", key: clientKey(input.request) },
    { limit: "recoveryCode.account", key: account },
  ]);
  if (!person) {
    await countRefusal("codes.redeem_refused", "UNKNOWN_ACCOUNT");
    throw new DomainError("INVALID_INPUT", CODE_NOT_VALID);
  }
  const notValid = { ok: false as const, code: "INVALID_INPUT" as const, message: CODE_NOT_VALID };
  const policy = ACTIVE_POLICY;
  return runUserWork(
    {
      userId: person.id,
      actor: { kind: "public", audit: { type: "ANONYMOUS" } },
      attempted: "use a recovery code",
      refusalAction: "codes.redeem_refused",
      request: input.request,
    },
    async ({ tx, now, lockCase }) => {
      const refused = async (
        detail: string,
        extra: { attemptsLeft?: number; setVoided?: boolean; caseId?: string } = {},
        answer: Refusal = notValid,
      ): Promise<Refusal> => {
        await recordAudit(tx, {
          action: "codes.redeem_refused",
          outcome: "REFUSED",
          reason: answer.code,
          actor: { type: "ANONYMOUS" },
          subjectUserId: person.id,
          caseId: extra.caseId,
          target: extra.caseId ? { type: "case", id: extra.caseId } : undefined,
          data: {
            detail,
            ...(extra.attemptsLeft === undefined ? {} : { attemptsLeft: extra.attemptsLeft }),
            ...(extra.setVoided ? { setVoided: true } : {}),
          },
          request: input.request,
        });
        return answer;
      };
      const set = await tx.recoveryCodeSet.findFirst({
        where: { userId: person.id, replacedAt: null, voidedAt: null },
        select: { id: true, failedAttempts: true },
      });
      if (!set) return refused("no live set of recovery codes");
      const code = normalizeRecoveryCode(input.code);
      const match = code
        ? await tx.recoveryCode.findFirst({
            where: { setId: set.id, codeHash: hashToken(code) },
            select: { id: true, usedAt: true },
          })
        : null;
      if (!match || match.usedAt) {
        // Wrong in a row: counted on the set; at the policy's cap the set is void (NIST §3.2.2).
        const rules = policy.recoveryCodes;
        const counted = await tx.recoveryCodeSet.update({
          where: { id: set.id },
          data: { failedAttempts: { increment: 1 } },
          select: { failedAttempts: true },
        });
        const after = rules ? afterWrongCode(rules, counted.failedAttempts) : null;
        if (after?.voided) {
          await tx.recoveryCodeSet.update({
            where: { id: set.id },
            data: { voidedAt: now, voidReason: "too many wrong codes in a row" },
          });
          await tellOfVoidedSet(tx, person, counted.failedAttempts);
        }
        return refused(
          !code ? "not the shape of a recovery code" : match ? "code already used" : "wrong code",
          { attemptsLeft: after?.attemptsLeft, setVoided: after?.voided },
        );
      }

      // The right code. Is this person one a code may recover, now? (Same words as the desk.)
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: person.id },
        select: {
          riskTier: true,
          status: true,
          leavingOn: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      const since = new Date(now.getTime() - policy.repeatCalls.windowHours * 60 * 60 * 1000);
      const opening = decideOpenCase({
        policy,
        leaver: isLeaver(user, now),
        onHold:
          (await tx.recoveryHold.count({ where: { userId: person.id, clearedAt: null } })) > 0,
        casesInWindow: await tx.recoveryCase.count({
          where: { userId: person.id, createdAt: { gt: since } },
        }),
      });
      if (!opening.ok) return refused(opening.message, {}, opening);
      if (!codesAllowedFor(policy, user.riskTier))
        return refused(`the tier may not use recovery codes`, {}, notAllowed());

      // A self-service case: no agent, no team; the code is its verification.
      const kase = {
        id: (
          await openSelfServiceCase(tx, {
            userId: person.id,
            riskTier: user.riskTier,
            repeatCall: opening.repeatCall,
            needsApproval: opening.needsApproval,
            now,
            request: input.request,
          })
        ).caseId,
      };
      const loaded = await lockCase(kase.id);
      if (!loaded) return refused("the case is gone", { caseId: kase.id });
      const gate = decideCodeRecovery({
        policy: loaded.policy,
        facts: loaded.facts,
        tierNow: user.riskTier,
      });
      if (!gate.ok) {
        // Refused on what the person's other cases show: the case closes; the code stays unused.
        await tx.recoveryCase.update({
          where: { id: kase.id },
          data: { status: "CLOSED", closedAt: now, closeReason: gate.message.slice(0, 200) },
        });
        return refused(gate.message, { caseId: kase.id }, gate);
      }
      const used = await tx.recoveryCode.updateMany({
        where: { id: match.id, usedAt: null },
        data: { usedAt: now, caseId: kase.id },
      });
      if (used.count !== 1) return refused("code used concurrently", { caseId: kase.id });
      await tx.recoveryCodeSet.update({ where: { id: set.id }, data: { failedAttempts: 0 } });
      const codesLeft = await tx.recoveryCode.count({ where: { setId: set.id, usedAt: null } });
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: "FACTOR_ISSUED" } });
      const token = newToken();
      const expiresAt = new Date(
        now.getTime() + loaded.policy.lifetimes.passSessionMinutes * 60_000,
      );
      await tx.workforceSession.create({
        data: {
          userId: person.id,
          tokenHash: hashToken(token),
          method: "code",
          caseId: kase.id,
          expiresAt,
        },
      });
      await recordAudit(tx, {
        action: "codes.redeemed",
        outcome: "ALLOWED",
        actor: { type: "WORKFORCE_USER", id: person.id, name: person.name },
        caseId: kase.id,
        subjectUserId: person.id,
        target: { type: "case", id: kase.id },
        data: { codesLeft },
        request: input.request,
      });
      for (const { address } of user.emails) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: person.id });
        await enqueueMessage(tx, {
          to: address,
          message: recoveryCodeRedeemedNotice({ name: person.name, codesLeft, reportUrl }),
          subjectUserId: person.id,
          caseId: kase.id,
        });
      }
      return { ok: true, value: { token, userId: person.id, caseId: kase.id, expiresAt } };
    },
  );
}

async function tellOfVoidedSet(tx: Tx, person: { id: string; name: string }, wrongTries: number) {
  const emails = await tx.workforceEmail.findMany({
    where: { userId: person.id, verified: true },
    select: { address: true },
  });
  const message = recoveryCodesVoidedNotice({ name: person.name, wrongTries });
  for (const { address } of emails)
    await enqueueMessage(tx, { to: address, message, subjectUserId: person.id });
}

// ---------------------------------------------------------------------------------------------
// Marking passkeys lost, from the session a code opened.

/**
 * Revokes the passkeys the holder of a code session marks lost (reason LOST), at once, under the
 * user's lock and through the case: the passkeys' other sessions end, the revocation is audited
 * as every revocation is (Shared Signals credential-change), and every address is told.
 */
export async function markPasskeysLost(input: {
  token: string;
  passkeyIds: readonly string[];
  request?: RequestContext;
}): Promise<{ revoked: number }> {
  const head = await sessionFor(db as unknown as Tx, input.token);
  if (!head || head.method !== "code" || !head.caseId || !sessionLive(head, new Date()))
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: head.userId },
    select: { id: true, name: true },
  });
  const caseId = head.caseId;
  return runUserWork(
    {
      userId: user.id,
      actor: { kind: "public", audit: { type: "WORKFORCE_USER", id: user.id, name: user.name } },
      attempted: "mark passkeys lost",
      refusalAction: "codes.redeem_refused",
      request: input.request,
    },
    async ({ tx, now, actor, refuse, lockCase }) => {
      const session = await sessionFor(tx, input.token);
      if (!session || session.caseId !== caseId || !sessionLive(session, now))
        return refuse({ ok: false, code: "UNAUTHENTICATED", message: SESSION_ENDED });
      const loaded = await lockCase(caseId);
      if (!loaded) return refuse({ ok: false, code: "NOT_FOUND", message: SESSION_ENDED });
      // The same gate as the registration it goes with: a stop on another of the person's cases,
      // a hold, or a tier now kept from codes ends what the code session may do.
      const gate = decideCodeRecovery({
        policy: loaded.policy,
        facts: loaded.facts,
        tierNow: loaded.kase.user.riskTier,
        registering: true,
      });
      if (!gate.ok) return refuse(gate, caseId);
      if (input.passkeyIds.length === 0)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: "Choose the passkeys you lost.",
        });
      const active = await tx.passkey.findMany({
        where: { userId: user.id, status: "ACTIVE", id: { in: [...input.passkeyIds] } },
        select: { id: true },
      });
      if (active.length !== new Set(input.passkeyIds).size)
        return refuse(
          {
            ok: false,
            code: "INVALID_INPUT",
            message: "Only your own active passkeys can be marked lost. Reload the page.",
          },
          caseId,
        );
      const ids = active.map((passkey) => passkey.id).sort();
      const revoked = await tx.passkey.updateMany({
        where: { id: { in: ids }, status: "ACTIVE" },
        data: { status: "REVOKED", revokedAt: now, revokedReason: "LOST", revokedById: user.id },
      });
      await tx.revocation.createMany({
        data: ids.map((passkeyId) => ({
          userId: user.id,
          caseId,
          scope: "ONE" as const,
          passkeyId,
          reason: "LOST" as const,
          actorId: user.id,
        })),
      });
      // Whoever holds a lost device may hold a session from it: every passkey session ends.
      const sessions = await tx.workforceSession.deleteMany({
        where: { userId: user.id, method: "passkey" },
      });
      await recordAudit(tx, {
        action: "passkey.revoked",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        caseId,
        target: ids.length === 1 ? { type: "passkey", id: ids[0]! } : { type: "user", id: user.id },
        data: {
          scope: "ONE",
          reason: "LOST",
          revokedPasskeys: revoked.count,
          voidedPasses: 0,
          voidedLinks: 0,
          voidedApprovals: 0,
          endedSessions: sessions.count,
          passkeyIds: ids,
        },
        request: input.request,
      });
      const emails = await tx.workforceEmail.findMany({
        where: { userId: user.id, verified: true },
        select: { address: true },
      });
      const notice = passkeysRevokedNotice({
        name: user.name,
        count: revoked.count,
        all: false,
        reason: REVOCATION_REASON_LABELS.LOST,
      });
      for (const { address } of emails)
        await enqueueMessage(tx, { to: address, message: notice, subjectUserId: user.id, caseId });
      return { ok: true, value: { revoked: revoked.count } };
    },
  );
}

/** What /account shows about recovery codes: whether the person's tier may use them, and their set. */
export async function getAccountRecoveryCodes(
  userId: string,
): Promise<{ allowed: boolean; summary: RecoveryCodeSummary }> {
  const { riskTier } = await db.workforceUser.findUniqueOrThrow({
    where: { id: userId },
    select: { riskTier: true },
  });
  return {
    allowed: codesAllowedFor(ACTIVE_POLICY, riskTier),
    summary: await getRecoveryCodeSummary(userId),
  };
}
