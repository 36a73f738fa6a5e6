/**
 * Live updates (docs/decisions/023-live-updates.md): which pages a committed decision changes.
 *
 * Every change to a case, a person's ways in or an approval is an audited decision, so the
 * audit append is where a change is announced: the transaction that records the events also
 * sends one PostgreSQL notification (delivered at commit, to every instance of the console)
 * naming the cases and people the events are about. A page listens for topics and refreshes
 * itself from the server when one of them changes; the notification carries ids only, never
 * what changed, so what a viewer sees is always what the page's own checks let them read.
 */
import { z } from "zod";

/** The PostgreSQL channel the audit append notifies on. */
export const LIVE_CHANNEL = "console_live";

/** Reads that are audited but change nothing a page shows: they must not wake anyone up. */
export const QUIET_ACTIONS: ReadonlySet<string> = new Set([
  "audit.viewed",
  "audit.exported",
  "audit.verified",
  "audit.verification_requested",
  "staff.signed_in",
  "staff.signed_out",
  "staff.step_up_required",
  "staff.stepped_up",
  "staff.step_up_refused",
]);

/** The most ids one notification names; past it, everyone listening refreshes (PostgreSQL caps a payload at 8000 bytes). */
export const MAX_IDS = 40;

export type LiveChange = {
  /** Cases the events are about. */
  cases: string[];
  /** People (workforce users) the events are about. */
  users: string[];
  /** An approval was asked for, decided or lapsed: supervisors' queues and badges change. */
  approvals: boolean;
  /**
   * The queue changes: an event about a case, or one about a person that stops or frees all of
   * their cases at once (a suspension, "this wasn't me", a hold cleared) without naming them.
   */
  queue: boolean;
  /** Too many ids to name: every page refreshes. */
  all?: boolean;
};

/** Decisions about a person that change every one of their cases (the stop rule reads them). */
export const PERSON_WIDE_ACTIONS: ReadonlySet<string> = new Set([
  "workforce.status_changed",
  "passkey.repudiated",
  "case.repudiated",
  "case.hold_cleared",
]);

type AuditedEvent = { action: string; caseId: string | null; subjectUserId: string | null };

/** What a transaction's audit events change for the pages, or null when they change nothing shown. */
export function liveChangeOf(events: readonly AuditedEvent[]): LiveChange | null {
  const cases = new Set<string>();
  const users = new Set<string>();
  let approvals = false;
  let queue = false;
  for (const event of events) {
    if (QUIET_ACTIONS.has(event.action)) continue;
    if (event.caseId) cases.add(event.caseId);
    if (event.subjectUserId) users.add(event.subjectUserId);
    if (event.action.startsWith("approval.") || event.action === "reenrolment.requested")
      approvals = true;
    if (event.caseId || PERSON_WIDE_ACTIONS.has(event.action)) queue = true;
  }
  if (cases.size === 0 && users.size === 0 && !approvals) return null;
  if (cases.size + users.size > MAX_IDS)
    return { cases: [], users: [], approvals: true, queue: true, all: true };
  return { cases: [...cases], users: [...users], approvals, queue };
}

/** The notification's payload (compact; parsed back with parseLiveChange). */
export function livePayload(change: LiveChange): string {
  return JSON.stringify(change);
}

const uuid = z.string().uuid();
const changeSchema = z.object({
  cases: z.array(uuid).max(MAX_IDS),
  users: z.array(uuid).max(MAX_IDS),
  approvals: z.boolean(),
  queue: z.boolean(),
  all: z.boolean().optional(),
});

/** A notification's payload, or null if it is not one of ours. */
export function parseLiveChange(payload: string | undefined): LiveChange | null {
  if (!payload) return null;
  try {
    const parsed = changeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What a page listens for: one case, one person, the case queue (any case), or the approvals
 * (the supervisors' list and badge).
 */
export type LiveTopic = `case:${string}` | `user:${string}` | "queue" | "approvals";

const topicSchema = z.union([
  z.literal("queue"),
  z.literal("approvals"),
  z.string().regex(/^case:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  z.string().regex(/^user:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
]);

/** The most topics one page may listen to. */
export const MAX_TOPICS = 8;

/** Parses the `topics` query parameter (comma-separated), or returns why it is refused. */
export function parseTopics(
  value: string | null,
): { ok: true; topics: LiveTopic[] } | { ok: false; message: string } {
  const parts = (value ?? "").split(",").filter(Boolean);
  if (parts.length === 0) return { ok: false, message: "Name at least one topic." };
  if (parts.length > MAX_TOPICS) return { ok: false, message: `At most ${MAX_TOPICS} topics.` };
  const topics: LiveTopic[] = [];
  for (const part of parts) {
    const parsed = topicSchema.safeParse(part.toLowerCase());
    if (!parsed.success) return { ok: false, message: "That is not a topic." };
    topics.push(parsed.data as LiveTopic);
  }
  return { ok: true, topics: [...new Set(topics)] };
}

/** The topics among `topics` that `change` touches. */
export function touchedTopics(topics: readonly LiveTopic[], change: LiveChange): LiveTopic[] {
  if (change.all) return [...topics];
  return topics.filter((topic) => {
    if (topic === "queue") return change.queue;
    if (topic === "approvals") return change.approvals;
    const [kind, id] = topic.split(":") as ["case" | "user", string];
    return kind === "case" ? change.cases.includes(id) : change.users.includes(id);
  });
}
