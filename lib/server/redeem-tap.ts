import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { tapGuessedNotice, tapRedeemedNotice } from "@/lib/domain/notifications";
import { passTryGate } from "@/lib/domain/rate-limits";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { decideRegistration } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import { recordAudit, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashesEqual, hashToken, newToken } from "./secrets";
import { clientKey, limitKey, spendOrRefuse } from "./rate-limit";
import { countRefusal } from "./refusal-tally";
import { atLeast } from "./equal-timing";

/**
 * Every redemption takes at least this long, whatever happens inside: a known and an unknown
 * email, a wrong pass and a resting one, answer after the same time.
 */
export const REDEEM_MIN_MS = 400;

const NOT_VALID =
  "That email and pass do not match a valid pass. Check both, or call the service desk.";

type Reserved = {
  id: string;
  codeHash: string;
  oneTime: boolean;
  caseId: string;
  failedAttempts: number;
  maxFailures: number;
};

/**
 * Redeems a temporary access pass on the workforce side, through the unit of work (user → case →
 * pass). Each try first *reserves* an attempt with one guarded UPDATE (never more than the pass's
 * limit, whatever the concurrency), then compares hashes in constant time; success marks a
 * one-time pass used with a guarded UPDATE, so of any number of simultaneous redemptions exactly
 * one succeeds. A pass that reaches its limit is voided. The pass's case is re-checked under its
 * lock: a case that was closed, stopped or now needs a second person refuses. The session it opens
 * may enrol one passkey (lib/server/finish-passkey-registration.ts).
 *
 * Guessing (decision 007): tries are rate limited per client and per client and account, for
 * unknown emails exactly as for known ones; past the policy's free tries a pass rests between
 * tries (`passTryGate`, the per-account ceiling), so strangers can delay it but never void it; a
 * try during the rest is answered exactly as a wrong pass; the user is told when the rest begins
 * and if a pass is voided. Refusals about a real pass are audited; an
 * unknown email and a rate-limited or resting try are counted (lib/server/refusal-tally.ts).
 * The value is never recorded.
 */
export async function redeemTap(input: {
  email: string;
  code: string;
  request?: RequestContext;
}): Promise<{ token: string; userId: string; expiresAt: Date }> {
  return atLeast(REDEEM_MIN_MS, () => redeem(input));
}

async function redeem(input: {
  email: string;
  code: string;
  request?: RequestContext;
}): Promise<{ token: string; userId: string; expiresAt: Date }> {
  const refusal = { ok: false as const, code: "INVALID_INPUT" as const, message: NOT_VALID };
  const audit = (
    tx: Tx,
    detail: string,
    subjectUserId?: string,
    attemptsLeft?: number,
    caseId?: string,
  ) =>
    recordAudit(tx, {
      action: "tap.redeem_refused",
      outcome: "REFUSED",
      reason: "INVALID_INPUT",
      actor: { type: "ANONYMOUS" },
      subjectUserId,
      caseId,
      data: { detail, ...(attemptsLeft === undefined ? {} : { attemptsLeft }) },
      request: input.request,
    });
  const address = input.email.trim().toLowerCase();
  const client = clientKey(input.request);
  const account = limitKey("account", address);
  await spendOrRefuse("tap.redeem_refused", [
    { limit: "redeem.client", key: client },
    { limit: "redeem.clientAccount", key: limitKey(client, account) },
  ]);
  const email = await db.workforceEmail.findFirst({
    where: { address, verified: true },
    select: { user: { select: { id: true, name: true } } },
  });
  if (!email) {
    await countRefusal("tap.redeem_refused", "UNKNOWN_ACCOUNT");
    throw new DomainError("INVALID_INPUT", NOT_VALID);
  }
  const user = email.user;
  // Counted after the transaction: a second connection taken while holding the user's lock
  // could wait on a pool that lock-holders have exhausted.
  let resting = false;
  return runUserWork(
    {
      userId: user.id,
      actor: { kind: "public", audit: { type: "ANONYMOUS" } },
      attempted: "redeem pass",
      refusalAction: "tap.redeem_refused",
      request: input.request,
    },
    async ({ tx, now, lockCase }) => {
      const refuse = async (detail: string, attemptsLeft?: number, caseId?: string) => {
        await audit(tx, detail, user.id, attemptsLeft, caseId);
        return refusal;
      };
      const code = normalizeTapCode(input.code);
      if (!code) return refuse("not the shape of a pass");
      const [candidate] = await tx.$queryRaw<
        { id: string; caseId: string; failedAttempts: number; lastFailedAt: Date | null }[]
      >`
        SELECT id, "caseId", "failedAttempts", "lastFailedAt" FROM "TemporaryAccessPass"
        WHERE "userId" = ${user.id}::uuid AND "usedAt" IS NULL AND "voidedAt" IS NULL AND "expiresAt" > now() AND "failedAttempts" < "maxFailures"
        ORDER BY "createdAt" DESC LIMIT 1`;
      if (!candidate)
        return refuse("no usable pass (none issued, used, voided, expired or locked)");
      const loaded = await lockCase(candidate.caseId, [
        { table: "TemporaryAccessPass", id: candidate.id },
      ]);
      if (!loaded) return refuse("the pass's case is gone", undefined, candidate.caseId);
      // Resting after wrong guesses: not an attempt, so nothing about the pass changes. Counted.
      const gate = passTryGate(candidate, loaded.policy.tap, now);
      if (!gate.ok) {
        resting = true;
        // The same answer as a wrong pass: neither the rest nor its end is told to whoever is
        // trying (the user was mailed when it began), so a probe learns nothing about the pass.
        return refusal;
      }

      const [reserved] = await tx.$queryRaw<Reserved[]>`
        UPDATE "TemporaryAccessPass" SET "failedAttempts" = "failedAttempts" + 1
        WHERE id = ${candidate.id}::uuid AND "usedAt" IS NULL AND "voidedAt" IS NULL
          AND "expiresAt" > now() AND "failedAttempts" < "maxFailures"
        RETURNING id, "codeHash", "oneTime", "caseId", "failedAttempts", "maxFailures"`;
      if (!reserved)
        return refuse(
          "no usable pass (used, voided, expired or locked meanwhile)",
          undefined,
          candidate.caseId,
        );

      if (!hashesEqual(hashToken(code), reserved.codeHash)) {
        const attemptsLeft = reserved.maxFailures - reserved.failedAttempts;
        const voided = attemptsLeft <= 0;
        await tx.temporaryAccessPass.update({
          where: { id: reserved.id },
          data: voided
            ? { lastFailedAt: now, voidedAt: now, voidReason: "too many failed attempts" }
            : { lastFailedAt: now },
        });
        if (voided || reserved.failedAttempts === loaded.policy.tap.freeFailedAttempts) {
          const next = passTryGate(
            { failedAttempts: reserved.failedAttempts, lastFailedAt: now },
            loaded.policy.tap,
            now,
          );
          await tellOfGuessing(tx, {
            user,
            caseId: reserved.caseId,
            wrongTries: reserved.failedAttempts,
            voided,
            nextTryAt: !voided && !next.ok ? next.retryAt : undefined,
            request: input.request,
          });
        }
        return refuse("wrong pass", attemptsLeft, reserved.caseId);
      }
      // The right pass: is its case still one that may lead to a new passkey?
      const caseGate = decideRegistration({
        policy: loaded.policy,
        facts: loaded.facts,
        approved: false,
      });
      if (!caseGate.ok)
        return refuse(
          `the case refuses: ${caseGate.message}`.slice(0, 300),
          undefined,
          reserved.caseId,
        );

      const used = await tx.temporaryAccessPass.updateMany({
        where: { id: reserved.id, usedAt: null, voidedAt: null },
        data: { failedAttempts: 0, ...(reserved.oneTime ? { usedAt: now } : {}) },
      });
      if (used.count !== 1) return refuse("pass used concurrently", undefined, reserved.caseId);
      const token = newToken();
      const expiresAt = new Date(
        now.getTime() + loaded.policy.lifetimes.passSessionMinutes * 60_000,
      );
      await tx.workforceSession.create({
        data: {
          userId: user.id,
          tokenHash: hashToken(token),
          method: "tap",
          tapId: reserved.id,
          expiresAt,
        },
      });
      await recordAudit(tx, {
        action: "tap.redeemed",
        outcome: "ALLOWED",
        actor: { type: "WORKFORCE_USER", id: user.id, name: user.name },
        caseId: reserved.caseId,
        subjectUserId: user.id,
        target: { type: "case", id: reserved.caseId },
        data: { oneTime: reserved.oneTime },
        request: input.request,
      });
      const addresses = await tx.workforceEmail.findMany({
        where: { userId: user.id, verified: true },
        select: { address: true },
      });
      for (const { address } of addresses) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: reserved.caseId, userId: user.id });
        await enqueueMessage(tx, {
          to: address,
          message: tapRedeemedNotice({ name: user.name, reportUrl }),
          subjectUserId: user.id,
          caseId: reserved.caseId,
        });
      }
      return { ok: true, value: { token, userId: user.id, expiresAt } };
    },
  ).catch(async (error: unknown) => {
    if (resting) await countRefusal("tap.redeem_refused", "PASS_RESTING");
    throw error;
  });
}

/** Wrong guesses began to delay the pass, or voided it: the user is mailed, the case records it. */
async function tellOfGuessing(
  tx: Tx,
  input: {
    user: { id: string; name: string };
    caseId: string;
    wrongTries: number;
    voided: boolean;
    nextTryAt?: Date;
    request?: RequestContext;
  },
) {
  await recordAudit(tx, {
    action: "tap.guessed",
    // The guess that crossed the line was refused; what follows for the pass is in `data`.
    outcome: "REFUSED",
    reason: "RATE_LIMITED",
    actor: { type: "ANONYMOUS" },
    caseId: input.caseId,
    subjectUserId: input.user.id,
    target: { type: "case", id: input.caseId },
    data: {
      wrongTries: input.wrongTries,
      voided: input.voided,
      ...(input.nextTryAt ? { nextTryAt: input.nextTryAt.toISOString() } : {}),
    },
    request: input.request,
  });
  const addresses = await tx.workforceEmail.findMany({
    where: { userId: input.user.id, verified: true },
    select: { address: true },
  });
  for (const { address } of addresses) {
    const reportUrl = await newRepudiationUrl(tx, { caseId: input.caseId, userId: input.user.id });
    await enqueueMessage(tx, {
      to: address,
      message: tapGuessedNotice({
        name: input.user.name,
        wrongTries: input.wrongTries,
        voided: input.voided,
        reportUrl,
      }),
      subjectUserId: input.user.id,
      caseId: input.caseId,
    });
  }
}
