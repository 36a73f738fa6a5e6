import "server-only";
/**
 * Sends case events to the ITSM webhook endpoints (docs/decisions/035), from the outbox worker's
 * tick. Each endpoint is its own cursor over the audit trail's positions. A pass claims the
 * endpoint with a transaction-scoped advisory lock (another instance holding it means this one
 * skips it), reads the next audit rows after the cursor in position order, sends the case events
 * among them one at a time, and moves the cursor in the same transaction once the receiver
 * acknowledged. The claim does not lock the endpoint's row: a rotation of its secret or a
 * disable never waits behind a slow receiver, and each request reads the endpoint again, so it
 * is signed with the secrets of that moment and nothing is sent once it is disabled.
 * At least once: a crash between the acknowledgement and the commit sends that event again (same
 * id, same Idempotency-Key). A failure waits with exponential backoff and jitter and is retried;
 * after WEBHOOK_MAX_ATTEMPTS, or a refusal retrying cannot fix (a 4xx but 408 and 429), the event
 * is given up on, logged as such, and the endpoint moves past it. Every attempt is a row of the
 * delivery log. It takes no row locks.
 */
import type { AuditEvent } from "@/generated/prisma/client";
import { db as defaultDb } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { mapLimited } from "@/lib/map-limited";
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

type Claimed = { position: bigint; attempts: number; nextAttemptAt: Date };

/** What a request is sent with, read again before each one. */
type Signing = {
  enabled: boolean;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretUntil: Date | null;
};

/**
 * Endpoint passes run at once, at most: a pass holds one of the console's pool connections while
 * its receiver answers, so slow ITSMs never take the connections the console's pages need.
 */
const DELIVERY_PASSES_AT_ONCE = 2;

/** The class of the advisory locks that claim endpoints (the other key is a hash of the id). */
const WEBHOOK_CLAIM_LOCK = 7_355_609;

/** One pass over every enabled endpoint, DELIVERY_PASSES_AT_ONCE at a time. */
export async function deliverWebhooks(
  options: WebhookOptions = {},
  client: Client = defaultDb,
): Promise<EndpointPass[]> {
  const endpoints = await client.webhookEndpoint.findMany({
    where: { enabled: true },
    select: { id: true },
  });
  // A few at a time: each pass holds a pool connection while its receiver answers.
  return mapLimited(endpoints, DELIVERY_PASSES_AT_ONCE, (e) =>
    deliverToEndpoint(client, e.id, options),
  );
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
      const pass = (status: EndpointPass["status"], delivered = 0, error?: string) => ({
        endpointId,
        status,
        delivered,
        ...(error ? { error } : {}),
      });
      const [lock] = await tx.$queryRaw<{ claimed: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${WEBHOOK_CLAIM_LOCK}::int, hashtext(${endpointId})) AS claimed`;
      if (!lock?.claimed) return pass("busy");
      // Read after the claim, in a statement of its own: it sees the last holder's commit.
      const [claimed] = await tx.$queryRaw<Claimed[]>`
        SELECT position, attempts, "nextAttemptAt" FROM "WebhookEndpoint"
        WHERE id = ${endpointId}::uuid AND enabled`;
      if (!claimed) return pass("idle");
      if (claimed.nextAttemptAt > now) return pass("waiting");
      const keys = trustedEventKeys();
      const sendOptions = { baseUrl: options.baseUrl ?? publicUrl, timeoutMs, now };
      // A reviewer's "send again" first (decision 035, amended), from the same budget of
      // requests: one try each, outside the cursor's order; the cursor, its attempts and its
      // backoff are left as they are. A resend that fails ends the pass: the receiver is not well.
      const resent = await resendAsked(tx, endpointId, keys, sendOptions, limit);
      let delivered = resent.delivered;
      if (resent.failed) return pass("failed", delivered, resent.failed);
      if (resent.disabled) return pass("idle", delivered);
      const budget = limit - resent.tried;
      if (budget <= 0) return pass(delivered > 0 ? "delivered" : "idle", delivered);
      const rows = await tx.auditEvent.findMany({
        where: {
          formatVersion: AUDIT_FORMAT_V2,
          position: { gt: claimed.position },
          action: { in: [...CASE_WEBHOOK_ACTIONS] },
          outcome: "ALLOWED",
          caseId: { not: null },
        },
        orderBy: { position: "asc" },
        take: budget,
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
        const signing = await signingNow(tx, endpointId);
        // Disabled meanwhile: nothing more is sent.
        if (!signing) break;
        const attempt = claimed.attempts + 1;
        const result = await send(tx, signing, row, type, sendOptions);
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
    // At most `limit` requests a pass (resends included): the transaction outlives their timeouts.
    { maxWait: 30_000, timeout: timeoutMs * limit + 10_000 },
  );
}

/** The endpoint as a request is sent now (its address and secrets), or null once it is disabled. */
async function signingNow(tx: Tx, endpointId: string): Promise<Signing | null> {
  const [endpoint] = await tx.$queryRaw<Signing[]>`
    SELECT enabled, url, "secretSealed", "previousSecretSealed", "previousSecretUntil"
    FROM "WebhookEndpoint" WHERE id = ${endpointId}::uuid`;
  return endpoint?.enabled ? endpoint : null;
}

type SendOptions = { baseUrl: string; timeoutMs: number; now: Date };

/**
 * The events a reviewer asked to send again, oldest first, at most `limit`: each sent once, its
 * attempt logged (`resend`; given up on again if it fails, so it can be asked for again), the
 * request marked done. Only what a reviewer decided is sent: the signed `webhook.resend_requested`
 * event naming the delivery, with the position it names, and only if no resend of it was made
 * since. A column set or a log row planted by someone with the database role's password sends
 * nothing (it is logged as not sent), and neither does an event row that is no longer part of the
 * log. Stops at the first failure, or once the endpoint is disabled.
 */
async function resendAsked(
  tx: Tx,
  endpointId: string,
  keys: ReturnType<typeof trustedEventKeys>,
  options: SendOptions,
  limit: number,
): Promise<{ tried: number; delivered: number; failed?: string; disabled?: boolean }> {
  const asked = await tx.webhookDelivery.findMany({
    where: { endpointId, gaveUp: true, resendRequestedAt: { not: null }, resentAt: null },
    orderBy: { position: "asc" },
    take: limit,
    select: { id: true, position: true },
  });
  let tried = 0;
  let delivered = 0;
  for (const request of asked) {
    const done = () =>
      tx.webhookDelivery.update({ where: { id: request.id }, data: { resentAt: options.now } });
    const decided = await decidedResend(tx, endpointId, request, keys);
    if (!decided.ok) {
      await logResend(tx, {
        endpointId,
        position: request.position,
        eventType: "unknown",
        caseId: null,
        result: { ok: false, httpStatus: null, error: `not sent: ${decided.why}` },
        gaveUp: false,
      });
      await done();
      continue;
    }
    const signing = await signingNow(tx, endpointId);
    if (!signing) return { tried, delivered, disabled: true };
    const row = await tx.auditEvent.findFirst({
      where: { formatVersion: AUDIT_FORMAT_V2, position: request.position },
    });
    const type = row ? caseWebhookEvent(row) : null;
    const sendable = row && type && checkV2Row(row, keys).ok;
    tried += sendable ? 1 : 0;
    const result: Sent = sendable
      ? await send(tx, signing, row, type, options)
      : {
          ok: false,
          permanent: true,
          httpStatus: null,
          error: "not sent: the event is no longer part of the audit log",
        };
    await logResend(tx, {
      endpointId,
      position: request.position,
      eventType: type ?? "unknown",
      caseId: row?.caseId ?? null,
      result,
      gaveUp: !result.ok,
    });
    await done();
    if (result.ok) delivered++;
    else if (sendable) return { tried, delivered, failed: result.error };
  }
  return { tried, delivered };
}

/**
 * A resend's line in the delivery log, at the database's clock when it is written: later than the
 * decision that asked for it, which decidedResend compares with.
 */
async function logResend(
  tx: Tx,
  input: {
    endpointId: string;
    position: bigint;
    eventType: string;
    caseId: string | null;
    result: { ok: boolean; httpStatus: number | null; error?: string };
    gaveUp: boolean;
  },
) {
  const error = input.result.ok ? null : (input.result.error ?? null);
  await tx.$executeRaw`
    INSERT INTO "WebhookDelivery" ("endpointId", position, "eventType", "caseId", attempt, resend,
      "httpStatus", ok, "gaveUp", error, "createdAt")
    VALUES (${input.endpointId}::uuid, ${input.position}, ${input.eventType},
      ${input.caseId}::uuid, 1, true, ${input.result.httpStatus}, ${input.result.ok},
      ${input.gaveUp}, ${error}, clock_timestamp())`;
}

/**
 * Whether a reviewer asked for this resend: a signed `webhook.resend_requested` naming the
 * delivery and its position (the event trail's, not the log row's), with no resend of that
 * position logged after it.
 */
async function decidedResend(
  tx: Tx,
  endpointId: string,
  request: { id: string; position: bigint },
  keys: ReturnType<typeof trustedEventKeys>,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const decisions = await tx.auditEvent.findMany({
    where: {
      formatVersion: AUDIT_FORMAT_V2,
      action: "webhook.resend_requested",
      outcome: "ALLOWED",
      targetId: endpointId,
      data: { path: ["deliveryId"], equals: request.id },
    },
    orderBy: { position: "desc" },
  });
  const decision = decisions.find((row) => checkV2Row(row, keys).ok);
  if (!decision) return { ok: false, why: "no reviewer asked for it in the audit log" };
  const named = (decision.data as { position?: unknown }).position;
  if (named !== request.position.toString())
    return { ok: false, why: "the log row names another event than the reviewer asked for" };
  const since = await tx.webhookDelivery.count({
    where: {
      endpointId,
      position: request.position,
      resend: true,
      createdAt: { gt: decision.createdAt },
    },
  });
  if (since > 0) return { ok: false, why: "it was sent again already" };
  return { ok: true };
}

type Sent =
  | { ok: true; httpStatus: number }
  | { ok: false; permanent: boolean; httpStatus: number | null; error: string };

async function send(
  tx: Pick<Client, "recoveryCase">,
  endpoint: Signing,
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
