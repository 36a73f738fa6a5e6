import "server-only";
/**
 * Sends case events to the ITSM webhook endpoints (docs/decisions/035), from the outbox worker's
 * tick. Each endpoint is its own cursor over the audit trail's positions, claimed like a SIEM
 * sink's (lib/server/siem/deliver.ts): a transaction locks the endpoint's row with
 * `FOR UPDATE SKIP LOCKED` (another instance holding it means this one skips it), reads the next audit rows after
 * the cursor in position order, sends the case events among them one at a time, and moves the
 * cursor in the same transaction once the receiver acknowledged. At least once: a crash between
 * the acknowledgement and the commit sends that event again (same id, same Idempotency-Key).
 * A failure waits with exponential backoff and jitter and is retried; after WEBHOOK_MAX_ATTEMPTS,
 * or a refusal retrying cannot fix (a 4xx but 408 and 429), the event is given up on, logged as
 * such, and the endpoint moves past it. Every attempt is a row of the delivery log. The only row
 * locks it takes are on "WebhookEndpoint".
 */
import type { AuditEvent } from "@/generated/prisma/client";
import { db as defaultDb } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { checkV2Row } from "@/lib/domain/audit-log-check";
import {
  CASE_WEBHOOK_ACTIONS,
  caseWebhookEvent,
  caseWebhookPayload,
  signingSecrets,
  WEBHOOK_BACKOFF,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
  type CaseWebhookEvent,
} from "@/lib/domain/case-webhooks";
import { backoffMs, permanentHttpStatus } from "@/lib/domain/siem-sinks";
import { signatureHeader } from "@/lib/domain/webhook-signature";
import type { Tx } from "../audit";
import { trustedEventKeys } from "../audit-keys";
import { unseal } from "../sealed";
import { errorText } from "../siem/types";
import { webhookSignature } from "../siem/webhook";

type Client = typeof defaultDb;

export type WebhookOptions = {
  now?: Date;
  random?: () => number;
  /** Events sent per endpoint in this pass at most. Default 20. */
  events?: number;
  baseUrl?: string;
  timeoutMs?: number;
};

export type EndpointPass = {
  endpointId: string;
  status: "delivered" | "failed" | "gave-up" | "busy" | "waiting" | "idle";
  delivered: number;
  error?: string;
};

type Claimed = {
  position: bigint;
  attempts: number;
  nextAttemptAt: Date;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretUntil: Date | null;
};

/** One pass over every enabled endpoint, side by side (a slow receiver holds no other up). */
export async function deliverWebhooks(
  options: WebhookOptions = {},
  client: Client = defaultDb,
): Promise<EndpointPass[]> {
  const endpoints = await client.webhookEndpoint.findMany({
    where: { enabled: true },
    select: { id: true },
  });
  return Promise.all(endpoints.map((e) => deliverToEndpoint(client, e.id, options)));
}

/** One claim of one endpoint: its due events sent in order until one fails. */
export async function deliverToEndpoint(
  client: Client,
  endpointId: string,
  options: WebhookOptions = {},
): Promise<EndpointPass> {
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const limit = options.events ?? 20;
  return client.$transaction(
    async (tx) => {
      const [claimed] = await tx.$queryRaw<Claimed[]>`
        SELECT position, attempts, "nextAttemptAt", url, "secretSealed", "previousSecretSealed",
          "previousSecretUntil" FROM "WebhookEndpoint"
        WHERE id = ${endpointId}::uuid AND enabled FOR UPDATE SKIP LOCKED`;
      const pass = (status: EndpointPass["status"], delivered = 0, error?: string) => ({
        endpointId,
        status,
        delivered,
        ...(error ? { error } : {}),
      });
      if (!claimed) return pass("busy");
      if (claimed.nextAttemptAt > now) return pass("waiting");
      const keys = trustedEventKeys();
      const sendOptions = { baseUrl: options.baseUrl ?? publicUrl, timeoutMs, now };
      // A reviewer's "send again" first (decision 035, amended): one try each, outside the
      // cursor's order; the cursor, its attempts and its backoff are left as they are.
      let delivered = await resendAsked(tx, endpointId, claimed, keys, sendOptions, limit);
      const rows = await tx.auditEvent.findMany({
        where: {
          formatVersion: AUDIT_FORMAT_V2,
          position: { gt: claimed.position },
          action: { in: [...CASE_WEBHOOK_ACTIONS] },
          outcome: "ALLOWED",
          caseId: { not: null },
        },
        orderBy: { position: "asc" },
        take: limit,
      });
      let position = claimed.position;
      const moveTo = (to: bigint, extra: object = {}) =>
        tx.webhookEndpoint.update({
          where: { id: endpointId },
          data: { position: to, attempts: 0, nextAttemptAt: now, ...extra },
        });
      for (const row of rows) {
        const type = caseWebhookEvent(row);
        // Not a case event, or a row that is not part of the log (planted or altered): skipped.
        if (!type || !checkV2Row(row, keys).ok) {
          position = row.position!;
          continue;
        }
        const attempt = claimed.attempts + 1;
        const result = await send(tx, claimed, row, type, sendOptions);
        const gaveUp = !result.ok && (result.permanent || attempt >= WEBHOOK_MAX_ATTEMPTS);
        await tx.webhookDelivery.create({
          data: {
            endpointId,
            position: row.position!,
            eventType: type,
            caseId: row.caseId,
            attempt,
            httpStatus: result.httpStatus,
            ok: result.ok,
            gaveUp,
            error: result.ok ? null : result.error,
          },
        });
        if (result.ok) {
          position = row.position!;
          delivered++;
          await moveTo(position, { lastError: null, lastSuccessAt: now });
          claimed.attempts = 0;
          continue;
        }
        if (gaveUp) {
          await moveTo(row.position!, {
            lastError:
              `event at position ${row.position} given up after ${attempt} attempts: ${result.error}`.slice(
                0,
                500,
              ),
          });
          return pass("gave-up", delivered, result.error);
        }
        await tx.webhookEndpoint.update({
          where: { id: endpointId },
          data: {
            position,
            attempts: attempt,
            nextAttemptAt: new Date(
              now.getTime() + backoffMs(attempt, options.random, WEBHOOK_BACKOFF),
            ),
            lastError: result.error,
          },
        });
        return pass("failed", delivered, result.error);
      }
      if (position !== claimed.position) await moveTo(position);
      return pass(delivered > 0 ? "delivered" : "idle", delivered);
    },
    // The endpoint's lock is held while sending: the transaction outlives the requests' timeouts.
    { maxWait: 30_000, timeout: timeoutMs * limit + 10_000 },
  );
}

type SendOptions = { baseUrl: string; timeoutMs: number; now: Date };

/**
 * The events a reviewer asked to send again, oldest first: each sent once, its attempt logged
 * (`resend`; given up on again if it fails, so it can be asked for again), the request marked
 * done. A row that is no longer part of the log (planted or altered since) is not sent.
 */
async function resendAsked(
  tx: Tx,
  endpointId: string,
  claimed: Claimed,
  keys: ReturnType<typeof trustedEventKeys>,
  options: SendOptions,
  limit: number,
): Promise<number> {
  const asked = await tx.webhookDelivery.findMany({
    where: { endpointId, gaveUp: true, resendRequestedAt: { not: null }, resentAt: null },
    orderBy: { position: "asc" },
    take: limit,
    select: { id: true, position: true },
  });
  let delivered = 0;
  for (const request of asked) {
    const row = await tx.auditEvent.findFirst({
      where: { formatVersion: AUDIT_FORMAT_V2, position: request.position },
    });
    const type = row ? caseWebhookEvent(row) : null;
    const result: Sent =
      row && type && checkV2Row(row, keys).ok
        ? await send(tx, claimed, row, type, options)
        : {
            ok: false,
            permanent: true,
            httpStatus: null,
            error: "not sent: the event is no longer part of the audit log",
          };
    await tx.webhookDelivery.create({
      data: {
        endpointId,
        position: request.position,
        eventType: type ?? "unknown",
        caseId: row?.caseId ?? null,
        attempt: 1,
        resend: true,
        httpStatus: result.httpStatus,
        ok: result.ok,
        gaveUp: !result.ok,
        error: result.ok ? null : result.error,
      },
    });
    await tx.webhookDelivery.update({
      where: { id: request.id },
      data: { resentAt: options.now },
    });
    if (result.ok) delivered++;
  }
  return delivered;
}

type Sent =
  | { ok: true; httpStatus: number }
  | { ok: false; permanent: boolean; httpStatus: number | null; error: string };

async function send(
  tx: Pick<Client, "recoveryCase">,
  endpoint: Claimed,
  row: AuditEvent,
  type: CaseWebhookEvent,
  options: SendOptions,
): Promise<Sent> {
  const kase = await tx.recoveryCase.findUnique({
    where: { id: row.caseId! },
    select: { ticketRef: true, user: { select: { employeeId: true } } },
  });
  if (!kase) return { ok: false, permanent: true, httpStatus: null, error: "the case is gone" };
  const body = JSON.stringify(
    caseWebhookPayload({
      eventId: row.eventId ?? String(row.id),
      type,
      occurredAt: row.createdAt,
      caseId: row.caseId!,
      ticketRef: kase.ticketRef,
      employeeId: kase.user.employeeId,
      baseUrl: options.baseUrl,
    }),
  );
  const timestamp = String(Math.floor(options.now.getTime() / 1000));
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        "Content-Type": "application/json",
        // Two signatures while a rotated secret overlaps: the receiver accepts either.
        "X-Console-Signature": signatureHeader(
          signingSecrets(
            {
              secret: endpoint.secretSealed,
              previousSecret: endpoint.previousSecretSealed,
              previousSecretUntil: endpoint.previousSecretUntil,
            },
            options.now,
          ).map((sealed) => webhookSignature(unseal(sealed), timestamp, body)),
        ),
        "X-Console-Timestamp": timestamp,
        "X-Console-Event": type,
        "Idempotency-Key": row.eventId ?? String(row.id),
      },
      body,
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      permanent: false,
      httpStatus: null,
      error: timedOut ? `no answer within ${options.timeoutMs} ms` : errorText(error),
    };
  }
  await response.text().catch(() => "");
  if (response.status >= 200 && response.status < 300)
    return { ok: true, httpStatus: response.status };
  return {
    ok: false,
    permanent: permanentHttpStatus(response.status),
    httpStatus: response.status,
    error: `HTTP ${response.status}`,
  };
}
