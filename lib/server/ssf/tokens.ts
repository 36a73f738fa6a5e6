/**
 * Shared Signals receivers' bearer tokens (decision 034): issued and revoked by security
 * reviewers (`ssf:manage`). The token is shown once; only its SHA-256 is kept. Both audited, and a
 * refusal too.
 */
import { z } from "zod";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { auditedTransaction, recordAudit, staffActor, type Tx } from "../audit";
import { recordAccessDenied } from "../record-access-denied";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { hashToken, newToken } from "../secrets";

const Name = z.string().trim().min(2, "Name the receiver (2 characters at least).").max(100);

export async function issueReceiverToken(input: {
  actor: CurrentStaff;
  name: string;
  request?: RequestContext;
}): Promise<{ id: string; token: string }> {
  if (!can(input.actor.role, "ssf:manage")) {
    await recordAccessDenied({
      staff: input.actor,
      permission: "ssf:manage",
      path: "/ssf-receivers",
      request: input.request,
    });
    throw new DomainError("FORBIDDEN", "Only security reviewers issue receiver tokens.");
  }
  const parsed = Name.safeParse(input.name);
  if (!parsed.success)
    throw new DomainError("INVALID_INPUT", parsed.error.issues[0]?.message ?? "Name the receiver.");
  const token = newToken();
  const created = await auditedTransaction(db, async (tx) => {
    const row = await tx.ssfReceiverToken.create({
      data: { name: parsed.data, tokenHash: hashToken(token), createdById: input.actor.id },
    });
    await recordAudit(tx, {
      action: "ssf.token_issued",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "ssf_receiver", id: row.id },
      data: { name: row.name },
      request: input.request,
    });
    return row;
  });
  return { id: created.id, token };
}

/**
 * One change at a time per receiver, its token's revocation included: a transaction-scoped
 * advisory lock (no row lock, so no place in the recovery paths' lock order), taken first. A
 * receiver's request that was authenticated before the revocation and changes a stream after it
 * finds the token revoked once it has the lock (streams.ts), and changes nothing.
 */
export async function receiverLock(tx: Tx, tokenId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`ssf-receiver:${tokenId}`}, 0))`;
}

export async function revokeReceiverToken(input: {
  actor: CurrentStaff;
  id: string;
  request?: RequestContext;
}): Promise<void> {
  if (!can(input.actor.role, "ssf:manage")) {
    await recordAccessDenied({
      staff: input.actor,
      permission: "ssf:manage",
      path: "/ssf-receivers",
      request: input.request,
    });
    throw new DomainError("FORBIDDEN", "Only security reviewers revoke receiver tokens.");
  }
  const revoked = await auditedTransaction(db, async (tx) => {
    await receiverLock(tx, input.id);
    const row = await tx.ssfReceiverToken.findUnique({ where: { id: input.id } });
    if (!row || row.revokedAt) {
      // Not there, or revoked already (by a revocation that had the lock first): refused,
      // audited in this transaction, nothing changed.
      await recordAudit(tx, {
        action: "ssf.request_refused",
        outcome: "REFUSED",
        reason: "NOT_FOUND",
        actor: staffActor(input.actor),
        target: { type: "ssf_receiver", id: input.id },
        data: { detail: "No such receiver token." },
        request: input.request,
      });
      return false;
    }
    await tx.ssfReceiverToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    const streams = await tx.ssfStream.updateMany({
      where: { tokenId: row.id },
      data: { status: "disabled", statusReason: "receiver token revoked" },
    });
    await recordAudit(tx, {
      action: "ssf.token_revoked",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "ssf_receiver", id: row.id },
      data: { name: row.name, streams: streams.count },
      request: input.request,
    });
    return true;
  });
  if (!revoked) throw new DomainError("NOT_FOUND", "No such receiver token.");
}

/** The receivers, newest first (never a token or its hash). */
export async function listReceivers() {
  return db.ssfReceiverToken.findMany({
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      createdAt: true,
      revokedAt: true,
      streams: { select: { id: true, deliveryMethod: true, status: true, lastError: true } },
    },
  });
}
