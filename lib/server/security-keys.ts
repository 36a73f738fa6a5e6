import "server-only";
/**
 * The security key inventory (issue 15, part D; docs/decisions/039). Security reviewers add keys
 * to stock and retire them; agents issue them at the desk and take them back; anyone who may
 * revoke may report one lost. Returning or losing an issued key revokes its passkey at once, in
 * the holder's unit of work (the lock revocation takes), with a `passkey.revoked` row naming it,
 * so Shared Signals sends credential-change. Issuing is in issue-security-key.ts.
 *
 * A key's status changes only by a guarded UPDATE (the status it must be in): two staff members
 * acting on one key at once cannot both succeed, and the loser's transaction is refused.
 */
import { passkeysRevokedNotice } from "@/lib/domain/notifications";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { can, type Permission } from "@/lib/domain/roles";
import {
  decideKeyMove,
  dueForReturn,
  normalizeAaguid,
  normalizeSerial,
  type KeyMove,
  type SecurityKeyFilter,
  type SecurityKeyStatus,
} from "@/lib/domain/security-keys";
import { isLeaver } from "@/lib/domain/workforce";
import { modelNameForAaguid } from "@/lib/domain/authenticator-models";
import { db } from "@/lib/db";
import { recordAudit, staffActor, type Tx, auditedTransaction } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

const FROM: Record<KeyMove, SecurityKeyStatus[]> = {
  issue: ["IN_STOCK", "RETURNED"],
  return: ["ISSUED"],
  lose: ["IN_STOCK", "ISSUED", "RETURNED"],
  retire: ["IN_STOCK", "RETURNED"],
};

async function refuseKeyChange(
  actor: CurrentStaff,
  attempted: string,
  refusal: Refusal,
  request?: RequestContext,
  subjectUserId?: string,
): Promise<never> {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "securitykey.refused",
      outcome: "REFUSED",
      reason: refusal.code,
      actor: staffActor(actor),
      subjectUserId,
      data: { attempted, detail: refusal.message.slice(0, 300) },
      request,
    }),
  );
  throw new DomainError(refusal.code, refusal.message);
}

async function requireKeyPermission(
  actor: CurrentStaff,
  permission: Permission,
  attempted: string,
  request?: RequestContext,
) {
  if (!can(actor.role, permission))
    await refuseKeyChange(
      actor,
      attempted,
      { ok: false, code: "FORBIDDEN", message: "Your role cannot do this." },
      request,
    );
}

/** A security reviewer adds a key to stock: serial (unique) and AAGUID; the model from the AAGUID unless named. */
export async function addSecurityKey(input: {
  actor: CurrentStaff;
  serial: string;
  aaguid: string;
  modelName?: string;
  request?: RequestContext;
}): Promise<{ keyId: string }> {
  const attempted = "add to stock";
  await requireKeyPermission(input.actor, "keys:stock", attempted, input.request);
  const serial = normalizeSerial(input.serial);
  const aaguid = normalizeAaguid(input.aaguid);
  if (!serial || !aaguid)
    return refuseKeyChange(
      input.actor,
      attempted,
      {
        ok: false,
        code: "INVALID_INPUT",
        message: !serial
          ? "The serial is 3 to 40 letters, digits or dashes, as printed on the key."
          : "The AAGUID is 32 hexadecimal digits (dashes optional).",
      },
      input.request,
    );
  const modelName = input.modelName?.trim() || modelNameForAaguid(aaguid) || "Security key";
  const created = await auditedTransaction(db, async (tx) => {
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "SecurityKey" (aaguid, "modelName", serial, "updatedAt")
      VALUES (${aaguid}, ${modelName}, ${serial}, now())
      ON CONFLICT (serial) DO NOTHING RETURNING id`;
    const keyId = inserted[0]?.id;
    if (!keyId) return null;
    await recordAudit(tx, {
      action: "securitykey.added",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "security_key", id: keyId },
      data: { keyId, serial, model: modelName, aaguid },
      request: input.request,
    });
    return keyId;
  });
  if (!created)
    return refuseKeyChange(
      input.actor,
      attempted,
      { ok: false, code: "CONFLICT", message: `A key with serial ${serial} is already listed.` },
      input.request,
    );
  return { keyId: created };
}

/** A key in stock or returned is taken out of service (security reviewers). */
export async function retireSecurityKey(input: {
  actor: CurrentStaff;
  keyId: string;
  request?: RequestContext;
}): Promise<void> {
  const attempted = "retire";
  await requireKeyPermission(input.actor, "keys:stock", attempted, input.request);
  const key = await db.securityKey.findUnique({ where: { id: input.keyId } });
  if (!key)
    return refuseKeyChange(
      input.actor,
      attempted,
      { ok: false, code: "NOT_FOUND", message: "That key is not in the inventory." },
      input.request,
    );
  const done = await auditedTransaction(db, async (tx) => {
    const moved = await tx.securityKey.updateMany({
      where: { id: key.id, status: { in: FROM.retire } },
      data: { status: "RETIRED", userId: null },
    });
    if (moved.count !== 1) return false;
    await recordAudit(tx, {
      action: "securitykey.retired",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "security_key", id: key.id },
      data: { keyId: key.id, serial: key.serial },
      request: input.request,
    });
    return true;
  });
  if (!done) {
    const decision = decideKeyMove(key.status, "retire");
    return refuseKeyChange(
      input.actor,
      attempted,
      decision.ok
        ? { ok: false, code: "CONFLICT", message: "The key changed meanwhile." }
        : decision,
      input.request,
    );
  }
}

/**
 * A key comes back (`return`) or is reported lost (`lose`). An issued key's passkey is revoked at
 * once under its holder's lock (reason RETURNED or LOST), their sessions end, they are told, and
 * the revocation is audited as `passkey.revoked` naming the passkey (Shared Signals). A key with
 * nobody holding it (lost from stock) only changes status.
 */
export async function takeBackSecurityKey(input: {
  actor: CurrentStaff;
  keyId: string;
  move: "return" | "lose";
  request?: RequestContext;
}): Promise<{ revoked: number }> {
  const attempted = input.move === "return" ? "return" : "report lost";
  await requireKeyPermission(input.actor, "keys:return", attempted, input.request);
  const key = await db.securityKey.findUnique({ where: { id: input.keyId } });
  if (!key)
    return refuseKeyChange(
      input.actor,
      attempted,
      { ok: false, code: "NOT_FOUND", message: "That key is not in the inventory." },
      input.request,
    );
  const status: SecurityKeyStatus = input.move === "return" ? "RETURNED" : "LOST";
  const stamp = input.move === "return" ? { returnedAt: new Date() } : { lostAt: new Date() };
  if (!key.userId) {
    const decision = decideKeyMove(key.status, input.move);
    if (!decision.ok) return refuseKeyChange(input.actor, attempted, decision, input.request);
    const done = await auditedTransaction(db, async (tx) => {
      const moved = await tx.securityKey.updateMany({
        where: { id: key.id, status: key.status, userId: null },
        data: { status, ...stamp },
      });
      if (moved.count !== 1) return false;
      await auditKeyMove(tx, input, key, 0);
      return true;
    });
    if (!done)
      return refuseKeyChange(
        input.actor,
        attempted,
        { ok: false, code: "CONFLICT", message: "The key changed meanwhile: look again." },
        input.request,
      );
    return { revoked: 0 };
  }
  const holderId = key.userId;
  return runUserWork(
    {
      userId: holderId,
      actor: { kind: "staff", staff: input.actor, permission: "keys:return" },
      attempted: `${attempted} a security key`,
      safeAction: "revoke",
      request: input.request,
    },
    async ({ tx, now, actor, refuse }) => {
      const fresh = await tx.securityKey.findUniqueOrThrow({ where: { id: key.id } });
      const decision = decideKeyMove(fresh.status, input.move);
      if (!decision.ok) return refuse(decision);
      if (fresh.userId !== holderId)
        return refuse({ ok: false, code: "CONFLICT", message: "The key changed meanwhile." });
      // Guarded: the key is locked by neither holder, so an issue to someone else may commit
      // while this waits; then nothing matches and the move is refused rather than written over
      // a live issue (found by the session-8 review).
      const moved = await tx.securityKey.updateMany({
        where: { id: key.id, status: fresh.status, userId: holderId },
        data: input.move === "return" ? { status, returnedAt: now } : { status, lostAt: now },
      });
      if (moved.count !== 1)
        return refuse({ ok: false, code: "CONFLICT", message: "The key changed meanwhile." });
      const passkey = fresh.passkeyId
        ? await tx.passkey.findFirst({
            where: { id: fresh.passkeyId, userId: holderId, status: "ACTIVE" },
            select: { id: true },
          })
        : null;
      let revoked = 0;
      if (passkey) {
        const reason = input.move === "return" ? "RETURNED" : "LOST";
        revoked = (
          await tx.passkey.updateMany({
            where: { id: passkey.id, status: "ACTIVE" },
            data: {
              status: "REVOKED",
              revokedAt: now,
              revokedReason: reason,
              revokedById: input.actor.id,
            },
          })
        ).count;
        await tx.revocation.create({
          data: {
            userId: holderId,
            scope: "ONE",
            passkeyId: passkey.id,
            reason,
            actorId: input.actor.id,
          },
        });
        const sessions = await tx.workforceSession.deleteMany({ where: { userId: holderId } });
        await recordAudit(tx, {
          action: "passkey.revoked",
          outcome: "ALLOWED",
          actor,
          subjectUserId: holderId,
          target: { type: "passkey", id: passkey.id },
          data: {
            scope: "ONE",
            reason,
            revokedPasskeys: revoked,
            voidedPasses: 0,
            voidedLinks: 0,
            voidedApprovals: 0,
            endedSessions: sessions.count,
            passkeyIds: [passkey.id],
          },
          request: input.request,
        });
        const user = await tx.workforceUser.findUniqueOrThrow({
          where: { id: holderId },
          select: { name: true, emails: { where: { verified: true }, select: { address: true } } },
        });
        const notice = passkeysRevokedNotice({
          name: user.name,
          count: revoked,
          all: false,
          reason: input.move === "return" ? "security key returned" : "security key lost",
        });
        for (const { address } of user.emails)
          await enqueueMessage(tx, { to: address, message: notice, subjectUserId: holderId });
      }
      await auditKeyMove(tx, { ...input, subjectUserId: holderId }, fresh, revoked);
      return { ok: true, value: { revoked } };
    },
  );
}

async function auditKeyMove(
  tx: Tx,
  input: {
    actor: CurrentStaff;
    move: "return" | "lose";
    request?: RequestContext;
    subjectUserId?: string;
  },
  key: { id: string; serial: string },
  revokedPasskeys: number,
) {
  const common = {
    outcome: "ALLOWED" as const,
    actor: staffActor(input.actor),
    subjectUserId: input.subjectUserId,
    target: { type: "security_key", id: key.id },
    request: input.request,
  };
  const data = { keyId: key.id, serial: key.serial, revokedPasskeys };
  if (input.move === "return")
    await recordAudit(tx, { ...common, action: "securitykey.returned", data });
  else await recordAudit(tx, { ...common, action: "securitykey.lost", data });
}

export type SecurityKeyRow = {
  id: string;
  serial: string;
  modelName: string;
  aaguid: string;
  status: SecurityKeyStatus;
  holder: { id: string; name: string; employeeId: string; leaver: boolean } | null;
  issuedAt: Date | null;
  returnedAt: Date | null;
  lostAt: Date | null;
  dueForReturn: boolean;
};

/** The inventory, filtered: by status, or the keys due back (issued to a leaver). */
export async function listSecurityKeys(
  filter: SecurityKeyFilter = "all",
  now: Date = new Date(),
): Promise<SecurityKeyRow[]> {
  const status = filter === "all" ? undefined : filter === "due" ? ("ISSUED" as const) : filter;
  const keys = await db.securityKey.findMany({
    where: status ? { status } : {},
    orderBy: [{ status: "asc" }, { serial: "asc" }],
    take: 500,
    include: {
      user: { select: { id: true, name: true, employeeId: true, status: true, leavingOn: true } },
    },
  });
  const rows = keys.map((key): SecurityKeyRow => {
    const leaver = key.user ? isLeaver(key.user, now) : false;
    return {
      id: key.id,
      serial: key.serial,
      modelName: key.modelName,
      aaguid: key.aaguid,
      status: key.status,
      holder: key.user
        ? { id: key.user.id, name: key.user.name, employeeId: key.user.employeeId, leaver }
        : null,
      issuedAt: key.issuedAt,
      returnedAt: key.returnedAt,
      lostAt: key.lostAt,
      dueForReturn: dueForReturn(key, leaver),
    };
  });
  return filter === "due" ? rows.filter((row) => row.dueForReturn) : rows;
}

/** The keys an agent may issue now (in stock, or returned), for the case page's chooser. */
export async function issuableSecurityKeys() {
  return db.securityKey.findMany({
    where: { status: { in: FROM.issue } },
    select: { id: true, serial: true, modelName: true },
    orderBy: { serial: "asc" },
    take: 200,
  });
}
