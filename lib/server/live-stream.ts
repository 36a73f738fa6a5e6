import "server-only";
/**
 * The event stream behind live pages (docs/decisions/023): GET /live?topics=…&since=… answers
 * with server-sent events. It says only *that* a topic changed; the page then re-renders on the
 * server, with its own checks. The stream checks who may listen to what, catches up on what was
 * committed between the page's render and the stream's start (the `since` stamp: the newest
 * audit event id the page saw), and ends after a few minutes so the browser reconnects and the
 * session is checked again.
 */
import { Prisma } from "@/generated/prisma/client";
import { can } from "@/lib/domain/roles";
import {
  touchedTopics,
  type LiveChange,
  type LiveTopic,
  PERSON_WIDE_ACTIONS,
  QUIET_ACTIONS,
} from "@/lib/domain/live-changes";
import { db } from "@/lib/db";
import { teamScope } from "./cases/unit-of-work";
import { subscribeToLiveChanges, type LiveSignal } from "./live-listener";
import type { CurrentStaff } from "./resume-staff-session";

/** The newest audit event id: the stamp a live page renders with. */
export async function liveStamp(): Promise<string> {
  const [row] = await db.$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM "AuditEvent"`;
  return String(row?.id ?? 0);
}

/** Why `staff` may not listen to one of `topics`, or null. Unknown and other teams' cases are alike. */
export async function topicRefusal(
  staff: CurrentStaff,
  topics: readonly LiveTopic[],
): Promise<string | null> {
  const caseIds: string[] = [];
  for (const topic of topics) {
    if (topic === "approvals" && !can(staff.role, "approvals:decide"))
      return "Only supervisors follow approvals.";
    if (topic === "queue" && !can(staff.role, "cases:read")) return "You cannot read cases.";
    if (topic.startsWith("user:") && !can(staff.role, "users:read"))
      return "You cannot read users.";
    if (topic.startsWith("case:")) caseIds.push(topic.slice(5));
  }
  if (caseIds.length === 0) return null;
  if (!can(staff.role, "cases:read")) return "You cannot read cases.";
  const readable = await db.recoveryCase.count({
    where: { AND: [teamScope(staff), { id: { in: caseIds } }] },
  });
  return readable === caseIds.length ? null : "You cannot follow that case.";
}

const CATCH_UP_LIMIT = 10_000n;

/** Whether anything about `topics` was committed after audit event `since` (up to `until`). */
async function changedBetween(
  topics: readonly LiveTopic[],
  since: bigint,
  until: bigint,
): Promise<boolean> {
  if (until <= since) return false;
  // A page older than this many events simply re-reads: cheaper than searching that far back.
  if (until - since > CATCH_UP_LIMIT) return true;
  const cases = topics.filter((t) => t.startsWith("case:")).map((t) => t.slice(5));
  const users = topics.filter((t) => t.startsWith("user:")).map((t) => t.slice(5));
  const conditions: Prisma.Sql[] = [];
  if (topics.includes("queue"))
    conditions.push(
      Prisma.sql`("caseId" IS NOT NULL OR action = ANY(${[...PERSON_WIDE_ACTIONS]}::text[]))`,
    );
  if (cases.length) conditions.push(Prisma.sql`"caseId" = ANY(${cases}::uuid[])`);
  if (users.length) conditions.push(Prisma.sql`"subjectUserId" = ANY(${users}::uuid[])`);
  if (topics.includes("approvals"))
    conditions.push(Prisma.sql`(action LIKE 'approval.%' OR action = 'reenrolment.requested')`);
  if (conditions.length === 0) return false;
  const rows = await db.$queryRaw<{ found: number }[]>`
    SELECT 1 AS found FROM "AuditEvent"
    WHERE id > ${since} AND id <= ${until}
      AND action <> ALL(${[...QUIET_ACTIONS]}::text[])
      AND (${Prisma.join(conditions, " OR ")})
    LIMIT 1`;
  return rows.length > 0;
}

/** How long one stream lives before the browser reconnects (and the session is checked again). */
export const STREAM_LIFETIME_MS = 5 * 60 * 1000;
export const HEARTBEAT_MS = 20_000;
/** Changes to one stream are sent at most this often; the page refreshes once for a burst. */
const COALESCE_MS = 400;

/**
 * The stream's body. `since` is the stamp the page rendered with (or the Last-Event-ID the
 * browser sends when it reconnects).
 */
export async function openLiveStream(input: {
  topics: readonly LiveTopic[];
  since: bigint;
  signal: AbortSignal;
}): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let pending = new Set<LiveTopic>();
  let flushTimer: NodeJS.Timeout | null = null;

  const send = (text: string) => {
    if (closed || !controller) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      close();
    }
  };
  const flush = () => {
    flushTimer = null;
    if (pending.size === 0) return;
    send(`event: change\ndata: ${JSON.stringify({ topics: [...pending] })}\n\n`);
    pending = new Set();
  };
  const queue = (topics: readonly LiveTopic[]) => {
    for (const topic of topics) pending.add(topic);
    if (pending.size > 0 && !flushTimer) flushTimer = setTimeout(flush, COALESCE_MS);
  };
  const onSignal = (signal: LiveSignal) => {
    queue(signal === "resync" ? input.topics : touchedTopics(input.topics, signal as LiveChange));
  };

  let unsubscribe: (() => void) | null = null;
  function close() {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const timer of timers) clearTimeout(timer);
    if (flushTimer) clearTimeout(flushTimer);
    try {
      controller?.close();
    } catch {
      // already closed by the client
    }
  }

  return new ReadableStream<Uint8Array>({
    async start(streamController) {
      controller = streamController;
      input.signal.addEventListener("abort", close, { once: true });
      // A client gone before the stream started never fires "abort": nothing to serve.
      if (input.signal.aborted) return close();
      // The lifetime runs from the start, whatever happens next.
      timers.push(setTimeout(close, STREAM_LIFETIME_MS));
      // Listen first, then read the stamp: nothing committed in between is missed.
      unsubscribe = await subscribeToLiveChanges(onSignal);
      if (closed) return unsubscribe();
      try {
        const until = BigInt(await liveStamp());
        if (await changedBetween(input.topics, input.since, until)) queue(input.topics);
        send(`retry: 2000\nid: ${until}\nevent: ready\ndata: {}\n\n`);
      } catch (error) {
        // Never leave a subscriber behind a stream that failed to start.
        close();
        throw error;
      }
      timers.push(setInterval(() => send(`: keep-alive\n\n`), HEARTBEAT_MS));
    },
    cancel() {
      close();
    },
  });
}
