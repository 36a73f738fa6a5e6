import "server-only";
/**
 * SCIM bearer tokens (docs/decisions/033): issued by a security reviewer (`scim:manage`), shown
 * once, kept only as SHA-256 (a token has 256 random bits, so a fast hash is enough and the
 * lookup is by the hash: no secret is compared byte by byte), scoped, expiring, revocable.
 * Rotation issues a new token and revokes the old one in the same transaction: an identity
 * provider's secret is changed in one place, so an overlap would only widen the window of a
 * leaked token.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/roles";
import { auditedTransaction, recordAudit, staffActor, type AuditActor } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { countRefusal } from "../refusal-tally";

export const SCIM_SCOPES = ["users:read", "users:write"] as const;
export type ScimScope = (typeof SCIM_SCOPES)[number];
export const SCIM_TOKEN_DAYS = 365;

export const IssueScimTokenSchema = z.object({
  name: z.string().trim().min(1, "Name the token (e.g. the identity provider).").max(80),
  scopes: z.array(z.enum(SCIM_SCOPES)).min(1, "Give the token at least one scope.").max(2),
});

export function hashScimToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}

function newToken(): { token: string; prefix: string } {
  const prefix = `scim_${randomBytes(4).toString("hex")}`;
  return { token: `${prefix}_${randomBytes(32).toString("base64url")}`, prefix };
}

function guard(staff: CurrentStaff) {
  if (!can(staff.role, "scim:manage"))
    throw new DomainError("FORBIDDEN", "Only security reviewers manage SCIM tokens.");
}

/** Issues a token (or rotates one: `replaces` is revoked in the same transaction). Returns the secret, once. */
export async function issueScimToken(input: {
  staff: CurrentStaff;
  name: string;
  scopes: readonly ScimScope[];
  replaces?: string;
  request?: RequestContext;
  now?: Date;
}): Promise<{ id: string; token: string }> {
  guard(input.staff);
  const parsed = IssueScimTokenSchema.parse({ name: input.name, scopes: [...input.scopes] });
  const now = input.now ?? new Date();
  const actor = staffActor(input.staff);
  return auditedTransaction(db, async (tx) => {
    let replaces: string | undefined;
    if (input.replaces) {
      const old = await tx.scimToken.updateManyAndReturn({
        where: { id: input.replaces, revokedAt: null },
        data: { revokedAt: now },
        select: { prefix: true },
      });
      if (old.length !== 1) throw new DomainError("NOT_FOUND", "That token is not active.");
      replaces = old[0]!.prefix;
      await recordAudit(tx, {
        action: "scim.token_revoked",
        outcome: "ALLOWED",
        actor,
        target: { type: "scim_token", id: input.replaces },
        data: { prefix: replaces },
        request: input.request,
      });
    }
    const { token, prefix } = newToken();
    const expiresAt = new Date(now.getTime() + SCIM_TOKEN_DAYS * 86_400_000);
    const row = await tx.scimToken.create({
      data: {
        name: parsed.name,
        prefix,
        hash: hashScimToken(token),
        scopes: [...new Set(parsed.scopes)],
        createdById: input.staff.id,
        createdAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      action: "scim.token_issued",
      outcome: "ALLOWED",
      actor,
      target: { type: "scim_token", id: row.id },
      data: {
        name: parsed.name,
        prefix,
        scopes: [...new Set(parsed.scopes)],
        expiresAt: expiresAt.toISOString(),
        ...(replaces ? { replaces } : {}),
      },
      request: input.request,
    });
    return { id: row.id, token };
  });
}

/** Rotation: a new token with the old one's name and scopes; the old one stops at once. */
export async function rotateScimToken(input: {
  staff: CurrentStaff;
  id: string;
  request?: RequestContext;
}): Promise<{ id: string; token: string }> {
  guard(input.staff);
  const old = await db.scimToken.findFirst({
    where: { id: input.id, revokedAt: null },
    select: { name: true, scopes: true },
  });
  if (!old) return refuseUnknownToken(input.staff, input.id, input.request);
  return issueScimToken({
    staff: input.staff,
    name: old.name,
    scopes: old.scopes.filter((s): s is ScimScope =>
      (SCIM_SCOPES as readonly string[]).includes(s),
    ),
    replaces: input.id,
    request: input.request,
  });
}

export async function revokeScimToken(input: {
  staff: CurrentStaff;
  id: string;
  request?: RequestContext;
}): Promise<void> {
  guard(input.staff);
  if (!(await db.scimToken.count({ where: { id: input.id, revokedAt: null } })))
    return refuseUnknownToken(input.staff, input.id, input.request);
  await auditedTransaction(db, async (tx) => {
    const old = await tx.scimToken.updateManyAndReturn({
      where: { id: input.id, revokedAt: null },
      data: { revokedAt: new Date() },
      select: { prefix: true },
    });
    if (old.length !== 1) throw new DomainError("NOT_FOUND", "That token is not active.");
    await recordAudit(tx, {
      action: "scim.token_revoked",
      outcome: "ALLOWED",
      actor: staffActor(input.staff),
      target: { type: "scim_token", id: input.id },
      data: { prefix: old[0]!.prefix },
      request: input.request,
    });
  });
}

export async function listScimTokens() {
  return db.scimToken.findMany({
    select: {
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      createdAt: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
    },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
}

export type ScimClient = { id: string; name: string; prefix: string; actor: AuditActor };

export type TokenCheck =
  | { ok: true; client: ScimClient }
  | { ok: false; status: 401 | 403; detail: string; client?: ScimClient };

/** The SCIM client a request's bearer token names, checked for expiry, revocation and scope. */
export async function checkScimToken(
  authorization: string | null,
  scope: ScimScope,
  now = new Date(),
): Promise<TokenCheck> {
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(authorization?.trim() ?? "");
  if (!match) {
    await countRefusal("scim.request_refused", "NO_TOKEN", now);
    return { ok: false, status: 401, detail: "A bearer token is required." };
  }
  const row = await db.scimToken.findUnique({
    where: { hash: hashScimToken(match[1]!) },
    select: { id: true, name: true, prefix: true, scopes: true, expiresAt: true, revokedAt: true },
  });
  if (!row) {
    // Names nothing we hold: counted, not audited one row each (decision 002).
    await countRefusal("scim.request_refused", "UNKNOWN_TOKEN", now);
    return { ok: false, status: 401, detail: "The bearer token is not valid." };
  }
  const client: ScimClient = {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    actor: { type: "SYSTEM", name: `SCIM client ${row.name} (${row.prefix})`.slice(0, 120) },
  };
  if (row.revokedAt)
    return { ok: false, status: 401, detail: "The bearer token was revoked.", client };
  if (row.expiresAt.getTime() <= now.getTime())
    return { ok: false, status: 401, detail: "The bearer token has expired.", client };
  if (!row.scopes.includes(scope))
    return { ok: false, status: 403, detail: `The token is not allowed ${scope}.`, client };
  // At most one write a minute per token for "last used".
  await db.scimToken.updateMany({
    where: {
      id: row.id,
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }],
    },
    data: { lastUsedAt: now },
  });
  return { ok: true, client };
}

/** A token that is not there or no longer active: refused, audited, nothing changed. */
async function refuseUnknownToken(
  staff: CurrentStaff,
  id: string,
  request?: RequestContext,
): Promise<never> {
  const detail = "That token is not active.";
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "scim.request_refused",
      outcome: "REFUSED",
      reason: "NOT_FOUND",
      actor: staffActor(staff),
      target: { type: "scim_token", id },
      data: { status: 404, detail },
      request,
    }),
  );
  throw new DomainError("NOT_FOUND", detail);
}
