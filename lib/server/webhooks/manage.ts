import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/roles";
import { auditedTransaction, recordAudit, staffActor } from "../audit";
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

/** Disables an endpoint: nothing more is sent to it (a delivery under way finishes its event). */
export async function disableWebhookEndpoint(input: {
  actor: CurrentStaff;
  endpointId: string;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const refusal = await auditedTransaction(db, async (tx) => {
    const endpoint = await tx.webhookEndpoint.findUnique({
      where: { id: input.endpointId },
      select: { name: true, enabled: true },
    });
    const refuse = async (code: "NOT_FOUND" | "CONFLICT", message: string) => {
      await recordAudit(tx, {
        action: "webhook.endpoint_refused",
        outcome: "REFUSED",
        reason: code,
        actor: staffActor(input.actor),
        target: { type: "webhook", id: input.endpointId },
        data: { detail: message },
        request: input.request,
      });
      return { code, message };
    };
    if (!endpoint) return refuse("NOT_FOUND", "That endpoint does not exist.");
    if (!endpoint.enabled) return refuse("CONFLICT", "That endpoint is already disabled.");
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
    return null;
  });
  if (refusal) throw new DomainError(refusal.code, refusal.message);
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
        },
      },
    },
  });
}
