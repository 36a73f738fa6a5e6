/**
 * The pure parts of `npm run benchmark:soak` (scripts/bench/soak.ts): the desk's mix of calls,
 * the per-action tally (count, errors, percentiles), how a server action is called over HTTP the
 * way the browser calls it, and the audit check: which event each acknowledged action must have
 * left, and which of them are missing from the log. No I/O here, so each part has unit tests
 * (tests/unit/soak-core.test.ts).
 */
import { percentile } from "./common.ts";

// ---------------------------------------------------------------------------------------------
// The mix

/**
 * What one agent's call is, with its weight. Every call starts with a directory search and the
 * person's page (what the agent does first on any call); then:
 * - lookup: nothing more (the caller hangs up, or it was a question);
 * - pass: open a case, record the checklist (callback, ID document, employee record), issue a
 *   temporary access pass;
 * - reenrol: a second call about a person this agent already helped (a repeat call within 24 h):
 *   open another case acknowledging the open one, record the checklist, request a re-enrolment,
 *   which waits for a supervisor's approval (decision 007: a repeat call needs a second person);
 * - revoke: a "my phone was stolen" call: revoke all the person's passkeys (step-up, decision 015).
 * Supervisors meanwhile read their approvals queue and approve or deny what is waiting; security
 * reviewers read the audit page.
 */
export const CALL_MIX = { lookup: 2, pass: 5, reenrol: 3, revoke: 1 } as const;
export type CallKind = keyof typeof CALL_MIX;

/** The call for a uniform draw `u` in [0, 1): each kind in proportion to its weight. */
export function pickCall(u: number, mix: Record<CallKind, number> = CALL_MIX): CallKind {
  const entries = Object.entries(mix) as [CallKind, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let at = Math.min(Math.max(u, 0), 0.999_999_999) * total;
  for (const [kind, weight] of entries) {
    if (at < weight) return kind;
    at -= weight;
  }
  return entries[entries.length - 1]![0];
}

/** A supervisor's decision for a uniform draw: approvals are the common case, denials happen. */
export function pickDecision(u: number, denyShare = 0.2): "approve" | "deny" {
  return u < denyShare ? "deny" : "approve";
}

// ---------------------------------------------------------------------------------------------
// The tally

/** What is timed, each request once: pages read (GET) and server actions (POST). */
export const ACTIONS = [
  "search",
  "person page",
  "open case",
  "case page",
  "record step",
  "issue pass",
  "request re-enrolment",
  "approvals page",
  "decide approval",
  "revoke passkeys",
  "audit page",
] as const;
export type ActionName = (typeof ACTIONS)[number];

export type ActionStats = { count: number; latencies: number[]; errors: Map<string, number> };

export class Tally {
  readonly actions = new Map<ActionName, ActionStats>();

  private stats(action: ActionName): ActionStats {
    let stats = this.actions.get(action);
    if (!stats) {
      stats = { count: 0, latencies: [], errors: new Map() };
      this.actions.set(action, stats);
    }
    return stats;
  }

  /** One request: its latency, and the error it ended in (null: it did what was asked). */
  record(action: ActionName, ms: number, error: string | null) {
    const stats = this.stats(action);
    stats.count++;
    stats.latencies.push(ms);
    if (error !== null) stats.errors.set(error, (stats.errors.get(error) ?? 0) + 1);
  }

  get requests() {
    let n = 0;
    for (const stats of this.actions.values()) n += stats.count;
    return n;
  }

  get errors() {
    let n = 0;
    for (const stats of this.actions.values())
      for (const count of stats.errors.values()) n += count;
    return n;
  }

  /** One row per action that ran, in ACTIONS order. */
  summary(seconds: number) {
    return ACTIONS.filter((action) => this.actions.has(action)).map((action) => {
      const stats = this.actions.get(action)!;
      return {
        action,
        count: stats.count,
        perSecond: stats.count / seconds,
        p50: percentile(stats.latencies, 50),
        p95: percentile(stats.latencies, 95),
        p99: percentile(stats.latencies, 99),
        errors: [...stats.errors.entries()].sort((a, b) => b[1] - a[1]),
      };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Server actions over HTTP

/**
 * The server actions' ids by `filename#exportedName`, from the build's
 * .next/server/server-reference-manifest.json (`node[id] = { filename, exportedName, … }`).
 */
export function actionIds(manifest: {
  node: Record<string, { filename: string; exportedName: string }>;
}): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node))
    ids.set(`${entry.filename}#${entry.exportedName}`, id);
  return ids;
}

export type Fields = Record<string, string | string[]>;

/**
 * The body the browser sends for a form action called through `useActionState`: React's reply
 * encoding of the arguments `[previousState, formData]` — the form's fields under the prefix
 * `_1_` and, under "0", the argument list with the FormData as a reference ("$K1").
 */
export function actionBody(fields: Fields): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields))
    for (const one of Array.isArray(value) ? value : [value]) body.append(`_1_${name}`, one);
  body.append("0", JSON.stringify([{ status: "idle" }, "$K1"]));
  return body;
}

export type ActionOutcome =
  { ok: true; message: string; redirect: string | null } | { ok: false; error: string };

/**
 * What a server action answered, from its HTTP status, its redirect header and its RSC payload:
 * a redirect (Next's `x-action-redirect`, e.g. open case → the case page) or an ActionState with
 * status "ok" is an acknowledgement; a refusal, invalid input or anything else is an error,
 * named by its status or message so the report can group them.
 */
export function actionOutcome(
  status: number,
  redirect: string | null,
  payload: string,
): ActionOutcome {
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}` };
  if (redirect) return { ok: true, message: "", redirect: redirect.split(";")[0]! };
  const state = findActionState(payload);
  if (!state) return { ok: false, error: "no action result in the answer" };
  if (state.status === "ok") return { ok: true, message: state.message ?? "", redirect: null };
  if (state.status === "refused") return { ok: false, error: `refused: ${state.message ?? ""}` };
  if (state.status === "invalid")
    return {
      ok: false,
      error: `invalid: ${[...(state.formErrors ?? []), ...Object.values(state.fieldErrors ?? {}).flat()].join("; ")}`,
    };
  return { ok: false, error: `status ${state.status}` };
}

type WireState = {
  status: string;
  message?: string;
  formErrors?: string[];
  fieldErrors?: Record<string, string[]>;
};

/** The action's result in an RSC payload: the row `1:{…}` (row 0 is the page's tree, if any). */
function findActionState(payload: string): WireState | null {
  for (const line of payload.split("\n")) {
    const match = /^([0-9a-f]+):(\{.*\})$/.exec(line);
    if (!match) continue;
    try {
      const value = JSON.parse(match[2]!) as Record<string, unknown>;
      if (
        typeof value.status === "string" &&
        ["ok", "refused", "invalid", "idle"].includes(value.status)
      )
        return value as WireState;
    } catch {
      // not JSON: another row
    }
  }
  return null;
}

/**
 * The values of the form fields named `name` in a page's HTML (hidden inputs and checkboxes, in
 * page order): what the browser would submit from the forms the page shows, e.g. the approvals a
 * supervisor may decide or the open cases a repeat call must acknowledge.
 */
export function formValues(html: string, name: string): string[] {
  const values: string[] = [];
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    if (attribute(tag, "name") !== name) continue;
    const value = attribute(tag, "value");
    if (value !== null) values.push(value);
  }
  return values;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match
    ? match[1]!
        .replace(/&quot;/g, '"')
        .replace(/&#x27;|&#39;/g, "'")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&")
    : null;
}

// ---------------------------------------------------------------------------------------------
// Audit events lost

/** An action the console acknowledged to an agent, with the ids it acted on. */
export type Acknowledged =
  | { kind: "open case"; caseId: string }
  | { kind: "record step"; caseId: string }
  | { kind: "issue pass"; caseId: string }
  | { kind: "request re-enrolment"; caseId: string }
  | { kind: "decide approval"; approvalId: string; message: string }
  | { kind: "revoke passkeys"; userId: string };

/** The audit event (action, target) an acknowledged action must have left in the same transaction. */
export function expectedEvent(ack: Acknowledged): { action: string; targetId: string } {
  switch (ack.kind) {
    case "open case":
      return { action: "case.opened", targetId: ack.caseId };
    case "record step":
      return { action: "step.recorded", targetId: ack.caseId };
    case "issue pass":
      return { action: "tap.issued", targetId: ack.caseId };
    case "request re-enrolment":
      return { action: "reenrolment.requested", targetId: ack.caseId };
    case "decide approval":
      // The answer says which: "Approved.", "Denied.", or "Your approval is recorded" (a vote
      // of a request that needs more than one approver).
      return {
        action: ack.message.startsWith("Approved")
          ? "approval.approved"
          : ack.message.startsWith("Denied")
            ? "approval.denied"
            : "approval.vote_recorded",
        targetId: ack.approvalId,
      };
    case "revoke passkeys":
      return { action: "passkey.revoked", targetId: ack.userId };
  }
}

export const EXPECTED_ACTIONS = [
  "case.opened",
  "step.recorded",
  "tap.issued",
  "reenrolment.requested",
  "approval.approved",
  "approval.denied",
  "approval.vote_recorded",
  "passkey.revoked",
];

/**
 * The acknowledged actions whose event is not in the log: each acknowledgement needs an event of
 * its own (three steps recorded on a case need three step.recorded events on it), so they are
 * matched as multisets by (action, target). `events` are the log's events of the run.
 */
export function lostEvents(
  acknowledged: readonly Acknowledged[],
  events: readonly { action: string; targetId: string | null }[],
): Acknowledged[] {
  const found = new Map<string, number>();
  for (const event of events) {
    if (!event.targetId) continue;
    const key = `${event.action} ${event.targetId}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  const lost: Acknowledged[] = [];
  for (const ack of acknowledged) {
    const { action, targetId } = expectedEvent(ack);
    const key = `${action} ${targetId}`;
    const left = found.get(key) ?? 0;
    if (left > 0) found.set(key, left - 1);
    else lost.push(ack);
  }
  return lost;
}
