import "server-only";
/**
 * Break-glass accounts (issue 15, part D; docs/decisions/039). Security reviewers mark and clear
 * them and declare planned tests, each in the person's unit of work, audited. Every passkey
 * sign-in by one is recorded in the sign-in's own transaction: inside a declared test as a test;
 * otherwise as an incident that mails every security reviewer an alert through the outbox.
 */
import {
  BREAK_GLASS_TEST_MAX_MINUTES,
  breakGlassSignInKind,
  quorumMissing,
  type ApprovalVote,
} from "@/lib/domain/break-glass";
import { securityAlert } from "@/lib/domain/notifications";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { stopRecovery } from "./cases/void-recovery";

export async function setBreakGlass(input: {
  actor: CurrentStaff;
  userId: string;
  breakGlass: boolean;
  reason: string;
  request?: RequestContext;
}): Promise<void> {
  await runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "breakglass:manage" },
      attempted: input.breakGlass ? "mark break-glass" : "clear break-glass",
      safeAction: "break-glass review",
      request: input.request,
    },
    async ({ tx, actor, refuse, now }) => {
      const existing = await tx.breakGlassAccount.findUnique({ where: { userId: input.userId } });
      if (input.breakGlass === Boolean(existing))
        return refuse({
          ok: false,
          code: "CONFLICT",
          message: input.breakGlass
            ? "This account is already marked break-glass."
            : "This account is not marked break-glass.",
        });
      if (input.breakGlass)
        await tx.breakGlassAccount.create({
          data: { userId: input.userId, markedById: input.actor.id, reason: input.reason },
        });
      else await tx.breakGlassAccount.delete({ where: { userId: input.userId } });
      // The second person a recovery of this person needs has changed: whatever their recoveries
      // had issued or had waiting (passes, links, pending approvals) was decided under the old
      // rule and stops, in either direction (decision 039).
      const voided = await stopRecovery(
        tx,
        { userId: input.userId },
        {
          reason: input.breakGlass ? "marked break-glass" : "break-glass mark cleared",
          now,
          userId: input.userId,
        },
      );
      await recordAudit(tx, {
        action: "breakglass.changed",
        outcome: "ALLOWED",
        actor,
        subjectUserId: input.userId,
        target: { type: "user", id: input.userId },
        data: { breakGlass: input.breakGlass, reason: input.reason, voided },
        request: input.request,
      });
      return { ok: true, value: undefined };
    },
  );
}

/** A security reviewer declares a planned test: a sign-in within `minutes` is a test, not an incident. */
export async function declareBreakGlassTest(input: {
  actor: CurrentStaff;
  userId: string;
  minutes: number;
  request?: RequestContext;
}): Promise<{ until: Date }> {
  return runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "breakglass:manage" },
      attempted: "declare a break-glass test",
      safeAction: "break-glass review",
      request: input.request,
    },
    async ({ tx, actor, now, refuse }) => {
      if (
        !Number.isInteger(input.minutes) ||
        input.minutes < 1 ||
        input.minutes > BREAK_GLASS_TEST_MAX_MINUTES
      )
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: `A test lasts 1 to ${BREAK_GLASS_TEST_MAX_MINUTES} minutes.`,
        });
      const until = new Date(now.getTime() + input.minutes * 60_000);
      const updated = await tx.breakGlassAccount.updateMany({
        where: { userId: input.userId },
        data: { testUntil: until },
      });
      if (updated.count !== 1)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "This account is not marked break-glass.",
        });
      await recordAudit(tx, {
        action: "breakglass.test_declared",
        outcome: "ALLOWED",
        actor,
        subjectUserId: input.userId,
        target: { type: "user", id: input.userId },
        data: { until: until.toISOString() },
        request: input.request,
      });
      return { ok: true, value: { until } };
    },
  );
}

/**
 * Called in the transaction of every use of a person's passkey that proves who they are (the
 * passkey sign-in, and a case's passkey-proof step), under the person's lock: if the person is a
 * break-glass account, the use is recorded as a test or an incident, and an incident alerts every
 * active security reviewer. A break-glass passkey proving identity on a recovery case is as much a
 * use of the account as a sign-in: whoever holds it is acting as the account.
 */
export async function recordBreakGlassPasskeyUse(
  tx: Tx,
  input: {
    user: { id: string; name: string; employeeId: string };
    model: string;
    now: Date;
    /** A sign-in, or the passkey-proof step of a recovery case (which case, for the alert). */
    use: { kind: "sign-in" } | { kind: "case proof"; caseId: string };
    request?: RequestContext;
  },
): Promise<void> {
  const account = await tx.breakGlassAccount.findUnique({ where: { userId: input.user.id } });
  if (!account) return;
  const kind = breakGlassSignInKind(account.testUntil, input.now);
  await tx.breakGlassAccount.update({
    where: { userId: input.user.id },
    data: kind === "test" ? { lastTestAt: input.now } : { lastUsedAt: input.now },
  });
  await recordAudit(tx, {
    action: "breakglass.signed_in",
    outcome: "ALLOWED",
    actor: { type: "WORKFORCE_USER", id: input.user.id, name: input.user.name },
    subjectUserId: input.user.id,
    target: { type: "user", id: input.user.id },
    data: {
      kind,
      model: input.model,
      ...(input.use.kind === "sign-in" ? {} : { use: input.use.kind }),
    },
    request: input.request,
  });
  if (kind === "test") return;
  const security = await tx.staff.findMany({
    where: { role: "SECURITY", active: true },
    select: { email: true },
  });
  const at = `${input.now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const used =
    input.use.kind === "sign-in"
      ? `signed in with a passkey (${input.model}) at ${at}`
      : `used a passkey (${input.model}) to prove who they are on recovery case ${input.use.caseId} at ${at}`;
  const alert = securityAlert({
    summary:
      input.use.kind === "sign-in"
        ? `Break-glass account ${input.user.name} signed in`
        : `Break-glass account ${input.user.name} used its passkey on a recovery case`,
    detail:
      `${input.user.name} (${input.user.employeeId}) is a break-glass account and ${used}, outside any declared test. ` +
      "If nobody expected this, revoke the account's passkeys from the person's page.",
    baseUrl: publicUrl,
    userId: input.user.id,
  });
  for (const { email } of security)
    await enqueueMessage(tx, { to: email, message: alert, subjectUserId: input.user.id });
}

export type BreakGlassRow = {
  userId: string;
  name: string;
  employeeId: string;
  markedAt: Date;
  testUntil: Date | null;
  lastTestAt: Date | null;
  lastUsedAt: Date | null;
};

/** The reports' list: every break-glass account with when it was last tested and last used. */
export async function listBreakGlassAccounts(): Promise<BreakGlassRow[]> {
  const rows = await db.breakGlassAccount.findMany({
    include: { user: { select: { name: true, employeeId: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({
    userId: row.userId,
    name: row.user.name,
    employeeId: row.user.employeeId,
    markedAt: row.createdAt,
    testUntil: row.testUntil,
    lastTestAt: row.lastTestAt,
    lastUsedAt: row.lastUsedAt,
  }));
}

/** One person's break-glass state, for their page (null: not a break-glass account). */
export async function getBreakGlass(userId: string) {
  return db.breakGlassAccount.findUnique({
    where: { userId },
    select: { reason: true, createdAt: true, testUntil: true, lastTestAt: true, lastUsedAt: true },
  });
}

/**
 * The break-glass recoveries of one person waiting for approvers, with who has approved and who
 * is still needed (decision 039): a security reviewer's part is given on the person's page.
 */
export async function pendingBreakGlassApprovals(userId: string, now: Date = new Date()) {
  const approvals = await db.approval.findMany({
    where: {
      case: { userId },
      status: "PENDING",
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    select: { id: true, caseId: true, needReason: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  const votes = await db.approvalDecision.findMany({
    where: { approvalId: { in: approvals.map((a) => a.id) } },
    select: { approvalId: true, deciderId: true, role: true },
  });
  return approvals.map((approval) => {
    const mine = votes
      .filter((v) => v.approvalId === approval.id)
      .map((v) => ({ deciderId: v.deciderId, role: v.role as ApprovalVote["role"] }));
    return { ...approval, votes: mine, missing: quorumMissing(mine) };
  });
}
