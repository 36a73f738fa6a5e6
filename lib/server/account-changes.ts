import "server-only";
/**
 * Changes a person makes on /account to their own ways in (docs/decisions/036): name a passkey,
 * remove one, report a device lost, sign out everywhere. Each authenticates the account session
 * itself (the cookie's token), then works under the person's lock (runUserWork): the session and
 * the passkey are read again there, the rule (decideAccountChange) decides, and the change, its
 * audit row and a notice to every verified address (each with its own "this wasn't me" link)
 * commit together. Refusals are audited as `account.change_refused`; a token naming no session is
 * counted, not audited (decision 002).
 */
import type { Prisma } from "@/generated/prisma/client";
import {
  decideAccountChange,
  lastPasskeyWarning,
  leavesNoPasskey,
  type AccountChange,
} from "@/lib/domain/account-changes";
import { DomainError } from "@/lib/domain/errors";
import { accountChangedNotice } from "@/lib/domain/notifications";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { runUserWork, type UserUnit } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { countRefusal } from "./refusal-tally";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

const SESSION_ENDED = "Your session has ended. Sign in again with your passkey.";

const PERSON_SELECT = {
  id: true,
  name: true,
  status: true,
  leavingOn: true,
  riskTier: true,
  emails: { where: { verified: true }, select: { address: true } },
} satisfies Prisma.WorkforceUserSelect;

/** How the person knows a passkey: their name for it, else its model and kind. */
function passkeyWords(passkey: {
  nickname: string | null;
  modelName: string | null;
  backedUp: boolean;
}) {
  const model = passkey.modelName ?? "Unknown authenticator";
  const kind = passkey.backedUp ? "synced" : "device-bound";
  return passkey.nickname ? `“${passkey.nickname}” (${model}, ${kind})` : `${model} (${kind})`;
}

type Work<T> = (input: {
  unit: UserUnit;
  session: { id: string; verifiedAt: Date | null };
  person: Prisma.WorkforceUserGetPayload<{ select: typeof PERSON_SELECT }>;
  passkey: {
    id: string;
    nickname: string | null;
    modelName: string | null;
    backedUp: boolean;
    status: string;
  } | null;
  activePasskeys: number;
  tell: (notice: { passkeyId?: string; passkey?: string; last?: boolean }) => Promise<void>;
}) => Promise<T>;

/**
 * The shared frame of every change: the session found by its token, the person locked, the
 * session read again under the lock (ended, expired or idle: refused), the passkey looked up
 * among the person's own, the rule applied (refusals audited), then `work`.
 */
async function accountChange<T>(
  input: {
    token: string;
    change: AccountChange;
    passkeyId?: string;
    confirmedLast?: boolean;
    request?: RequestContext;
  },
  work: Work<T>,
): Promise<T> {
  const head = await db.workforceSession.findUnique({
    where: { tokenHash: hashToken(input.token) },
    select: { userId: true, user: { select: { name: true } } },
  });
  if (!head) {
    await countRefusal("account.change_refused", "UNKNOWN_SESSION");
    throw new DomainError("UNAUTHENTICATED", SESSION_ENDED);
  }
  return runUserWork(
    {
      userId: head.userId,
      actor: {
        kind: "public",
        audit: { type: "WORKFORCE_USER", id: head.userId, name: head.user.name },
      },
      attempted: input.change,
      refusalAction: "account.change_refused",
      request: input.request,
    },
    async (unit) => {
      const { tx, now, refuse } = unit;
      const session = await tx.workforceSession.findUnique({
        where: { tokenHash: hashToken(input.token) },
        select: { id: true, method: true, expiresAt: true, lastSeenAt: true, verifiedAt: true },
      });
      const idleMs = ACTIVE_POLICY.lifetimes.workforceIdleMinutes * 60_000;
      if (
        !session ||
        session.expiresAt <= now ||
        now.getTime() - session.lastSeenAt.getTime() > idleMs
      )
        return refuse({ ok: false, code: "UNAUTHENTICATED", message: SESSION_ENDED });
      const person = await tx.workforceUser.findUniqueOrThrow({
        where: { id: head.userId },
        select: PERSON_SELECT,
      });
      // Another person's passkey id is looked up among this person's only: never told apart from an unknown one.
      const passkey = input.passkeyId
        ? await tx.passkey.findFirst({
            where: { id: input.passkeyId, userId: person.id },
            select: { id: true, nickname: true, modelName: true, backedUp: true, status: true },
          })
        : null;
      const activePasskeys = await tx.passkey.count({
        where: { userId: person.id, status: "ACTIVE" },
      });
      const decision = decideAccountChange(
        ACTIVE_POLICY,
        {
          change: input.change,
          method: session.method,
          leaver: isLeaver(person, now),
          verifiedAt: session.verifiedAt,
          passkey: passkey ? { active: passkey.status === "ACTIVE" } : null,
          activePasskeys,
          confirmedLast: input.confirmedLast === true,
          onHold:
            (await tx.recoveryHold.count({ where: { userId: person.id, clearedAt: null } })) > 0,
        },
        now,
        lastPasskeyWarning(ACTIVE_POLICY, person.riskTier),
      );
      if (!decision.ok) return refuse(decision);
      const tell: Parameters<Work<T>>[0]["tell"] = async (notice) => {
        for (const { address } of person.emails) {
          const reportUrl = await newRepudiationUrl(tx, {
            change: input.change,
            userId: person.id,
            passkeyId: notice.passkeyId,
            at: now,
          });
          await enqueueMessage(tx, {
            to: address,
            message: accountChangedNotice({
              name: person.name,
              change: input.change,
              passkey: notice.passkey,
              last: notice.last,
              at: now,
              reportUrl,
            }),
            subjectUserId: person.id,
          });
        }
      };
      return {
        ok: true,
        value: await work({ unit, session, person, passkey, activePasskeys, tell }),
      };
    },
  );
}

/** Gives one of the person's active passkeys a name (an empty name clears it). */
export async function renamePasskey(input: {
  token: string;
  passkeyId: string;
  nickname: string;
  request?: RequestContext;
}): Promise<void> {
  await accountChange(
    { token: input.token, change: "renamed", passkeyId: input.passkeyId, request: input.request },
    async ({ unit, person, passkey, tell }) => {
      const nickname = input.nickname === "" ? null : input.nickname;
      await unit.tx.passkey.update({ where: { id: passkey!.id }, data: { nickname } });
      await recordAudit(unit.tx, {
        action: "account.passkey_renamed",
        outcome: "ALLOWED",
        actor: unit.actor,
        subjectUserId: person.id,
        target: { type: "passkey", id: passkey!.id },
        data: { model: passkey!.modelName ?? "Unknown authenticator", named: nickname !== null },
        request: unit.request,
      });
      await tell({ passkeyId: passkey!.id, passkey: passkeyWords({ ...passkey!, nickname }) });
    },
  );
}

/**
 * Removes one of the person's active passkeys, after a fresh verification (used up here: one
 * verification, one removal), and, for the last one, the person's confirmation of the warning.
 * The person's sessions stay: nothing was lost.
 */
export async function removePasskey(input: {
  token: string;
  passkeyId: string;
  confirmLast: boolean;
  request?: RequestContext;
}): Promise<{ last: boolean }> {
  return accountChange(
    {
      token: input.token,
      change: "removed",
      passkeyId: input.passkeyId,
      confirmedLast: input.confirmLast,
      request: input.request,
    },
    async ({ unit, session, person, passkey, activePasskeys, tell }) => {
      const last = leavesNoPasskey({
        change: "removed",
        passkey: { active: true },
        activePasskeys,
      });
      // Removed by its owner: no revocation reason (those are the desk's), no staff member.
      await unit.tx.passkey.update({
        where: { id: passkey!.id },
        data: { status: "REVOKED", revokedAt: unit.now, revokedReason: null, revokedById: null },
      });
      await unit.tx.workforceSession.update({
        where: { id: session.id },
        data: { verifiedAt: null },
      });
      await recordAudit(unit.tx, {
        action: "account.passkey_removed",
        outcome: "ALLOWED",
        actor: unit.actor,
        subjectUserId: person.id,
        target: { type: "passkey", id: passkey!.id },
        data: {
          model: passkey!.modelName ?? "Unknown authenticator",
          last,
          passkeyIds: [passkey!.id],
          endedSessions: 0,
        },
        request: unit.request,
      });
      await tell({ passkeyId: passkey!.id, passkey: passkeyWords(passkey!), last });
      return { last };
    },
  );
}

/**
 * The device holding a passkey is lost: that passkey is revoked at once (reason LOST, with a
 * Revocation row as the desk's revocations have) and every session of the person ends, this one
 * included. A session records no passkey, and a lost laptop may hold a session begun with a
 * synced passkey other than the one reported, so all of them end (decision 036).
 */
export async function reportPasskeyLost(input: {
  token: string;
  passkeyId: string;
  confirmLast: boolean;
  request?: RequestContext;
}): Promise<{ last: boolean; endedSessions: number }> {
  return accountChange(
    {
      token: input.token,
      change: "lost",
      passkeyId: input.passkeyId,
      confirmedLast: input.confirmLast,
      request: input.request,
    },
    async ({ unit, person, passkey, activePasskeys, tell }) => {
      const last = leavesNoPasskey({ change: "lost", passkey: { active: true }, activePasskeys });
      await unit.tx.passkey.update({
        where: { id: passkey!.id },
        data: { status: "REVOKED", revokedAt: unit.now, revokedReason: "LOST", revokedById: null },
      });
      // The person acted: actorId is theirs (the desk's rows name the staff member).
      await unit.tx.revocation.create({
        data: {
          userId: person.id,
          scope: "ONE",
          passkeyId: passkey!.id,
          reason: "LOST",
          actorId: person.id,
        },
      });
      const sessions = await unit.tx.workforceSession.deleteMany({ where: { userId: person.id } });
      await recordAudit(unit.tx, {
        action: "account.passkey_reported_lost",
        outcome: "ALLOWED",
        actor: unit.actor,
        subjectUserId: person.id,
        target: { type: "passkey", id: passkey!.id },
        data: {
          model: passkey!.modelName ?? "Unknown authenticator",
          last,
          reason: "LOST",
          passkeyIds: [passkey!.id],
          endedSessions: sessions.count,
        },
        request: unit.request,
      });
      await tell({ passkeyId: passkey!.id, passkey: passkeyWords(passkey!), last });
      return { last, endedSessions: sessions.count };
    },
  );
}

/** Ends every account session of the person, this one included. */
export async function signOutEverywhere(input: {
  token: string;
  request?: RequestContext;
}): Promise<{ endedSessions: number }> {
  return accountChange(
    { token: input.token, change: "signed_out", request: input.request },
    async ({ unit, person, tell }) => {
      const sessions = await unit.tx.workforceSession.deleteMany({ where: { userId: person.id } });
      await recordAudit(unit.tx, {
        action: "account.signed_out_everywhere",
        outcome: "ALLOWED",
        actor: unit.actor,
        subjectUserId: person.id,
        target: { type: "user", id: person.id },
        data: { endedSessions: sessions.count },
        request: unit.request,
      });
      await tell({});
      return { endedSessions: sessions.count };
    },
  );
}
