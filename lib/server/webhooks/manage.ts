import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/roles";
import { decideResend, WEBHOOK_SECRET_OVERLAP_MS } from "@/lib/domain/case-webhooks";
import { auditedTransaction, recordAudit, staffActor, type Tx } from "../audit";
import { recordAccessDenied } from "../record-access-denied";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { seal } from "../sealed";

/**
 * Adds an ITSM webhook endpoint (docs/decisions/035) and answers its signing secret, once: it is
 * stored sealed (lib/server/sealed.ts, usable to sign, unreadable from a dump alone) and never
 * shown again nor audited. A new endpoint starts at the trail's end: it is sent the case events
 * from now on, not the history.
 */
export async function addWebhookEndpoint(input: {
  actor: CurrentStaff;
  name: string;
  url: string;
  request?: RequestContext;
}): Promise<{ endpointId: string; secret: string }> {
  await guard(input.actor, input.request);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  return auditedTransaction(db, async (tx) => {
    const [trail] = await tx.$queryRaw<{ end: bigint | null }[]>`
      SELECT max(position) AS "end" FROM "AuditEvent"`;
    const endpoint = await tx.webhookEndpoint.create({
      data: {
        name: input.name,
        url: input.url,
        secretSealed: seal(secret),
        createdById: input.actor.id,
        position: trail?.end ?? -1n,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      action: "webhook.endpoint_added",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "webhook", id: endpoint.id },
      data: { endpointId: endpoint.id, name: input.name, url: input.url },
      request: input.request,
    });
    return { endpointId: endpoint.id, secret };
  });
}

/** Disables an endpoint: nothing more is sent to it (a request under way finishes; the pass sends no other). */
export async function disableWebhookEndpoint(input: {
  actor: CurrentStaff;
  endpointId: string;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const outcome = await auditedTransaction(db, async (tx) => {
    const endpoint = await tx.webhookEndpoint.findUnique({
      where: { id: input.endpointId },
      select: { name: true, enabled: true },
    });
    if (!endpoint)
      return refuseChange(
        tx,
        input,
        input.endpointId,
        "NOT_FOUND",
        "That endpoint does not exist.",
      );
    if (!endpoint.enabled)
      return refuseChange(
        tx,
        input,
        input.endpointId,
        "CONFLICT",
        "That endpoint is already disabled.",
      );
    await tx.webhookEndpoint.update({
      where: { id: input.endpointId },
      data: { enabled: false },
    });
    await recordAudit(tx, {
      action: "webhook.endpoint_disabled",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "webhook", id: input.endpointId },
      data: { endpointId: input.endpointId, name: endpoint.name },
      request: input.request,
    });
    return { ok: true as const };
  });
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message);
}

/**
 * Rotates an endpoint's signing secret and answers the new one, once (sealed, never shown again
 * nor audited). With `overlap` the old secret keeps signing beside it for a day, so the ITSM can
 * switch without refusing a request; without it (the old one leaked) it stops at once. A secret
 * kept from an earlier rotation is dropped either way: only the one just replaced overlaps.
 */
export async function rotateWebhookSecret(input: {
  actor: CurrentStaff;
  endpointId: string;
  overlap: boolean;
  request?: RequestContext;
}): Promise<{ secret: string; overlapUntil: Date | null }> {
  await guard(input.actor, input.request);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const outcome = await auditedTransaction(db, async (tx) => {
    const now = new Date();
    const overlapUntil = input.overlap ? new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_MS) : null;
    // One statement, never waiting on a delivery (its claim holds no row): a request already
    // sent keeps the secrets it was signed with; the next one reads these. The old secret moves
    // aside, read in the same statement (SET reads the row as it was).
    const [rotated] = await tx.$queryRaw<{ name: string }[]>`
      UPDATE "WebhookEndpoint" SET
        "previousSecretSealed" = CASE WHEN ${input.overlap} THEN "secretSealed" END,
        "previousSecretUntil" = ${overlapUntil?.toISOString() ?? null}::timestamptz,
        "secretSealed" = ${seal(secret)},
        "secretRotatedAt" = ${now.toISOString()}::timestamptz
      WHERE id = ${input.endpointId}::uuid AND enabled
      RETURNING name`;
    if (!rotated) {
      const exists = await tx.webhookEndpoint.count({ where: { id: input.endpointId } });
      return exists === 0
        ? refuseChange(tx, input, input.endpointId, "NOT_FOUND", "That endpoint does not exist.")
        : refuseChange(
            tx,
            input,
            input.endpointId,
            "CONFLICT",
            "That endpoint is disabled: add a new one instead of rotating its secret.",
          );
    }
    await recordAudit(tx, {
      action: "webhook.secret_rotated",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "webhook", id: input.endpointId },
      data: {
        endpointId: input.endpointId,
        name: rotated.name,
        overlapUntil: overlapUntil?.toISOString() ?? null,
      },
      request: input.request,
    });
    return { ok: true as const, overlapUntil };
  });
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message);
  return { secret, overlapUntil: outcome.overlapUntil };
}

/**
 * Asks for an event given up on to be sent again (decideResend): the delivery worker sends it on
 * its next pass over the endpoint, before the events after the cursor, signed afresh, with the
 * same Idempotency-Key. It arrives after events that happened later: the payload's `occurredAt`
 * says when it happened.
 */
export async function requestWebhookResend(input: {
  actor: CurrentStaff;
  deliveryId: string;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const outcome = await auditedTransaction(db, async (tx) => {
    const delivery = await tx.webhookDelivery.findUnique({
      where: { id: input.deliveryId },
      select: {
        endpointId: true,
        gaveUp: true,
        resendRequestedAt: true,
        resentAt: true,
        position: true,
        eventType: true,
        endpoint: { select: { name: true, enabled: true } },
      },
    });
    const decision = decideResend({
      delivery,
      endpointEnabled: delivery?.endpoint.enabled ?? false,
    });
    const refuse = (code: "NOT_FOUND" | "CONFLICT", message: string) =>
      refuseChange(tx, input, delivery?.endpointId ?? input.deliveryId, code, message);
    if (!decision.ok) return refuse(decision.code, decision.message);
    // Asked for once: of two reviewers asking at the same moment, the second is refused.
    const asked = await tx.$executeRaw`
      UPDATE "WebhookDelivery" SET "resendRequestedAt" = now()
      WHERE id = ${input.deliveryId}::uuid AND "gaveUp"
        AND "resendRequestedAt" IS NULL AND "resentAt" IS NULL`;
    if (asked === 0) return refuse("CONFLICT", "It is already waiting to be sent again.");
    await recordAudit(tx, {
      action: "webhook.resend_requested",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "webhook", id: delivery!.endpointId },
      data: {
        endpointId: delivery!.endpointId,
        name: delivery!.endpoint.name,
        deliveryId: input.deliveryId,
        eventType: delivery!.eventType,
        position: delivery!.position.toString(),
      },
      request: input.request,
    });
    return { ok: true as const };
  });
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message);
}

/** A refused change to an endpoint, audited in the transaction that changes nothing else. */
async function refuseChange(
  tx: Tx,
  who: { actor: CurrentStaff; request?: RequestContext },
  endpointId: string,
  code: "NOT_FOUND" | "CONFLICT",
  message: string,
) {
  await recordAudit(tx, {
    action: "webhook.endpoint_refused",
    outcome: "REFUSED",
    reason: code,
    actor: staffActor(who.actor),
    target: { type: "webhook", id: endpointId },
    data: { detail: message },
    request: who.request,
  });
  return { ok: false as const, code, message };
}

/** The use case checks the role itself (the action's guard is not the only one), audited. */
async function guard(actor: CurrentStaff, request?: RequestContext) {
  if (can(actor.role, "webhooks:manage")) return;
  await recordAccessDenied({
    staff: actor,
    permission: "webhooks:manage",
    path: "/settings/webhooks",
    request,
  });
  throw new DomainError("FORBIDDEN", "Only security reviewers manage the ticket webhooks.");
}

/** The settings page: every endpoint, and the latest attempts of its delivery log. */
export async function findWebhookEndpoints(options: { log?: number } = {}) {
  return db.webhookEndpoint.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      url: true,
      enabled: true,
      createdAt: true,
      attempts: true,
      nextAttemptAt: true,
      lastError: true,
      lastSuccessAt: true,
      secretRotatedAt: true,
      previousSecretUntil: true,
      deliveries: {
        orderBy: { createdAt: "desc" },
        take: options.log ?? 50,
        select: {
          id: true,
          eventType: true,
          caseId: true,
          attempt: true,
          httpStatus: true,
          ok: true,
          gaveUp: true,
          error: true,
          createdAt: true,
          resend: true,
          resendRequestedAt: true,
          resentAt: true,
        },
      },
    },
  });
}
