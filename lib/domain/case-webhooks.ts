/**
 * Case events for an ITSM's webhooks (issue 14, docs/decisions/035): which audited decisions are
 * case events, and what a receiver is sent about each. Derived from the audit row, which is written
 * in the same transaction as the change (so an event is sent only for a change that committed), in
 * position order. The payload names the case, its ticket reference and the person's employee ID:
 * no secrets, no addresses, no free text a caller gave.
 */
import { z } from "zod";
import { reachesExternalStreams } from "./external-streams";

export const CASE_WEBHOOK_EVENTS = [
  "case.opened",
  "case.verified",
  "tap.issued",
  "approval.requested",
  "approval.approved",
  "approval.denied",
  "passkeys.revoked",
  "case.closed",
] as const;
export type CaseWebhookEvent = (typeof CASE_WEBHOOK_EVENTS)[number];

/** The audit actions a case event may come from (the query's filter; caseWebhookEvent decides). */
export const CASE_WEBHOOK_ACTIONS = [
  "case.opened",
  "step.recorded",
  "step.answered",
  "tap.issued",
  "reenrolment.requested",
  "approval.approved",
  "approval.denied",
  "passkey.revoked",
  "case.closed",
] as const;

/**
 * The case event an audit row is, or null: only allowed decisions on a case, never a practice
 * call's (they never leave the console, decision 030). A step completes the checklist when its
 * `complete` flag says so; a re-enrolment request is an approval request when it needs one.
 */
export function caseWebhookEvent(row: {
  action: string;
  outcome: string;
  caseId: string | null;
  data: unknown;
}): CaseWebhookEvent | null {
  if (row.outcome !== "ALLOWED" || row.caseId === null || !reachesExternalStreams(row.action))
    return null;
  const data = (row.data ?? {}) as Record<string, unknown>;
  switch (row.action) {
    case "case.opened":
    case "tap.issued":
    case "approval.approved":
    case "approval.denied":
    case "case.closed":
      return row.action;
    case "step.recorded":
    case "step.answered":
      return data.complete === true ? "case.verified" : null;
    case "reenrolment.requested":
      return data.needsApproval === true ? "approval.requested" : null;
    case "passkey.revoked":
      return "passkeys.revoked";
    default:
      return null;
  }
}

export type CaseWebhookPayload = {
  /** The audit event's id: the same on every retry, so a receiver can drop a duplicate. */
  id: string;
  type: CaseWebhookEvent;
  occurredAt: string;
  caseId: string;
  ticketRef: string | null;
  employeeId: string;
  /** The case in the console (staff sign in to open it). */
  link: string;
};

export function caseWebhookPayload(input: {
  eventId: string;
  type: CaseWebhookEvent;
  occurredAt: Date;
  caseId: string;
  ticketRef: string | null;
  employeeId: string;
  baseUrl: string;
}): CaseWebhookPayload {
  return {
    id: input.eventId,
    type: input.type,
    occurredAt: input.occurredAt.toISOString(),
    caseId: input.caseId,
    ticketRef: input.ticketRef,
    employeeId: input.employeeId,
    link: new URL(`/cases/${input.caseId}`, input.baseUrl).toString(),
  };
}

/** Attempts per event before it is given up on (logged, and the endpoint moves past it). */
export const WEBHOOK_MAX_ATTEMPTS = 8;
/** Backoff between attempts: 5 s doubling, at most 10 minutes (with jitter, siem-sinks' backoffMs). */
export const WEBHOOK_BACKOFF = { baseMs: 5_000, maxMs: 10 * 60_000 };
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** A new endpoint, as the settings form gives it. https only, but for a receiver on this host. */
export const webhookEndpointInput = z.object({
  name: z.string().trim().min(1, "Give the endpoint a name").max(80),
  url: z
    .url({ message: "Enter the receiver's address (https://…)" })
    .max(500)
    .refine((value) => {
      const url = new URL(value);
      return (
        url.protocol === "https:" ||
        (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname))
      );
    }, "The address must be https:// (http:// only for a receiver on this host)"),
});

/**
 * How long a rotated secret keeps signing beside the new one, when the reviewer keeps it (the
 * ITSM's administrator needs time to install the new one): a day.
 */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60_000;

/** The secrets a request is signed with now: the current one, and the one before while its overlap lasts. */
export function signingSecrets<S>(
  endpoint: { secret: S; previousSecret: S | null; previousSecretUntil: Date | null },
  now: Date,
): S[] {
  return endpoint.previousSecret !== null &&
    endpoint.previousSecretUntil !== null &&
    endpoint.previousSecretUntil > now
    ? [endpoint.secret, endpoint.previousSecret]
    : [endpoint.secret];
}

/**
 * Whether a reviewer may ask for a delivery to be sent again (decision 035, amended): only an
 * attempt given up on, of an endpoint still enabled, not already asked for (a request is one
 * more try, outside the cursor's order; a try that fails is given up on in its turn, and may be sent
 * again).
 */
export function decideResend(input: {
  delivery: { gaveUp: boolean; resendRequestedAt: Date | null; resentAt: Date | null } | null;
  endpointEnabled: boolean;
}): { ok: true } | { ok: false; code: "NOT_FOUND" | "CONFLICT"; message: string } {
  const { delivery } = input;
  if (!delivery) return { ok: false, code: "NOT_FOUND", message: "That delivery does not exist." };
  if (!input.endpointEnabled)
    return {
      ok: false,
      code: "CONFLICT",
      message: "That endpoint is disabled: nothing is sent to it.",
    };
  if (!delivery.gaveUp)
    return {
      ok: false,
      code: "CONFLICT",
      message:
        "Only an event given up on can be sent again; the others are still being retried or were delivered.",
    };
  if (delivery.resendRequestedAt && !delivery.resentAt)
    return { ok: false, code: "CONFLICT", message: "It is already waiting to be sent again." };
  if (delivery.resentAt)
    return {
      ok: false,
      code: "CONFLICT",
      message: "It was sent again already; see that attempt in the log.",
    };
  return { ok: true };
}
