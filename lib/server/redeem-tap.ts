import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { tapRedeemedNotice } from "@/lib/domain/notifications";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashesEqual, hashToken, newToken } from "./secrets";

/** A pass lets its holder do one thing: enrol a new passkey, within this short session. */
export const TAP_SESSION_MINUTES = 15;

const NOT_VALID = "That email and pass do not match a valid pass. Check both, or call the service desk.";

type Reserved = { id: string; codeHash: string; oneTime: boolean; caseId: string; failedAttempts: number; maxFailures: number };

/**
 * Redeems a temporary access pass on the workforce side, under the user's row lock. Each try first *reserves* an attempt
 * with one guarded UPDATE (never more than the pass's limit, whatever the concurrency), then
 * compares hashes in constant time; success marks a one-time pass used with a guarded UPDATE
 * on the same locked row, so of any number of simultaneous redemptions exactly one succeeds.
 * A pass that reaches its limit is voided. Every refusal is audited; the value never is.
 */
export async function redeemTap(input: { email: string; code: string; request?: RequestContext }): Promise<{ token: string; userId: string; expiresAt: Date }> {
  const result = await db.$transaction(async (tx) => {
    const refuse = async (detail: string, subjectUserId?: string, attemptsLeft?: number) => {
      await recordAudit(tx, {
        action: "tap.redeem_refused",
        outcome: "REFUSED",
        reason: "INVALID_INPUT",
        actor: { type: "ANONYMOUS" },
        subjectUserId,
        data: { detail, ...(attemptsLeft === undefined ? {} : { attemptsLeft }) },
        request: input.request,
      });
      return { ok: false as const };
    };
    const code = normalizeTapCode(input.code);
    const email = await tx.workforceEmail.findFirst({
      where: { address: input.email.trim().toLowerCase(), verified: true },
      select: { user: { select: { id: true, name: true } } },
    });
    if (!email) return refuse("no workforce user with that verified address");
    const user = email.user;
    if (!code) return refuse("not the shape of a pass", user.id);
    // The user's row lock serializes redemption with revocation and issuance (SECURITY.md D2).
    await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${user.id}::uuid FOR UPDATE`;

    const [reserved] = await tx.$queryRaw<Reserved[]>`
      UPDATE "TemporaryAccessPass" SET "failedAttempts" = "failedAttempts" + 1
      WHERE "userId" = ${user.id}::uuid AND "usedAt" IS NULL AND "voidedAt" IS NULL
        AND "expiresAt" > now() AND "failedAttempts" < "maxFailures"
      RETURNING id, "codeHash", "oneTime", "caseId", "failedAttempts", "maxFailures"`;
    if (!reserved) return refuse("no usable pass (none issued, used, voided, expired or locked)", user.id);

    if (!hashesEqual(hashToken(code), reserved.codeHash)) {
      const attemptsLeft = reserved.maxFailures - reserved.failedAttempts;
      if (attemptsLeft <= 0) {
        await tx.temporaryAccessPass.update({ where: { id: reserved.id }, data: { voidedAt: new Date(), voidReason: "too many failed attempts" } });
      }
      return refuse("wrong pass", user.id, attemptsLeft);
    }

    const now = new Date();
    const used = await tx.temporaryAccessPass.updateMany({
      where: { id: reserved.id, usedAt: null, voidedAt: null },
      data: { failedAttempts: 0, ...(reserved.oneTime ? { usedAt: now } : {}) },
    });
    if (used.count !== 1) return refuse("pass used concurrently", user.id);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + TAP_SESSION_MINUTES * 60_000);
    await tx.workforceSession.create({ data: { userId: user.id, tokenHash: hashToken(token), method: "tap", tapId: reserved.id, expiresAt } });
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
    const addresses = await tx.workforceEmail.findMany({ where: { userId: user.id, verified: true }, select: { address: true } });
    for (const { address } of addresses) {
      const reportUrl = await newRepudiationUrl(tx, { caseId: reserved.caseId, userId: user.id });
      await enqueueMessage(tx, { to: address, message: tapRedeemedNotice({ name: user.name, reportUrl }), subjectUserId: user.id, caseId: reserved.caseId });
    }
    return { ok: true as const, token, userId: user.id, expiresAt };
  });
  if (!result.ok) throw new DomainError("INVALID_INPUT", NOT_VALID);
  return { token: result.token, userId: result.userId, expiresAt: result.expiresAt };
}
