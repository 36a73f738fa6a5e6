import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { tapRedeemedNotice } from "@/lib/domain/notifications";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { decideRegistration } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import { recordAudit, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashesEqual, hashToken, newToken } from "./secrets";

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
 * may enrol one passkey (lib/server/finish-passkey-registration.ts). Every refusal is audited;
 * the value never is.
 */
export async function redeemTap(input: {
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
  const email = await db.workforceEmail.findFirst({
    where: { address: input.email.trim().toLowerCase(), verified: true },
    select: { user: { select: { id: true, name: true } } },
  });
  if (!email) {
    await db.$transaction((tx) => audit(tx, "no workforce user with that verified address"));
    throw new DomainError("INVALID_INPUT", NOT_VALID);
  }
  const user = email.user;
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
      const [candidate] = await tx.$queryRaw<{ id: string; caseId: string }[]>`
        SELECT id, "caseId" FROM "TemporaryAccessPass"
        WHERE "userId" = ${user.id}::uuid AND "usedAt" IS NULL AND "voidedAt" IS NULL AND "expiresAt" > now() AND "failedAttempts" < "maxFailures"
        ORDER BY "createdAt" DESC LIMIT 1`;
      if (!candidate)
        return refuse("no usable pass (none issued, used, voided, expired or locked)");
      const loaded = await lockCase(candidate.caseId, [
        { table: "TemporaryAccessPass", id: candidate.id },
      ]);
      if (!loaded) return refuse("the pass's case is gone", undefined, candidate.caseId);

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
        if (attemptsLeft <= 0) {
          await tx.temporaryAccessPass.update({
            where: { id: reserved.id },
            data: { voidedAt: now, voidReason: "too many failed attempts" },
          });
        }
        return refuse("wrong pass", attemptsLeft, reserved.caseId);
      }
      // The right pass: is its case still one that may lead to a new passkey?
      const gate = decideRegistration({
        policy: loaded.policy,
        facts: loaded.facts,
        approved: false,
      });
      if (!gate.ok)
        return refuse(
          `the case refuses: ${gate.message}`.slice(0, 300),
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
  );
}
