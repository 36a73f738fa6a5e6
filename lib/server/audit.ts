/**
 * The one way to write the audit trail (docs/decisions/017-verifiable-audit-log.md). Open the
 * transaction that makes the change with `auditedTransaction` and call `recordAudit` inside it
 * (for a refusal, the transaction that records only the refusal): if anything fails, the change
 * and its events roll back together. `recordAudit` validates the payload and signs the event's
 * entry at once, without touching the database; the transaction appends every recorded event as
 * its last statement, after the business writes and the outbox: it takes the append lock and
 * runs one INSERT that gives the events the next positions, then commits, in the same message
 * (docs/decisions/048). So the lock is held for one statement and the commit's flush, never
 * across the caller's work or this process's event loop. Nothing may follow the append.
 *
 * NOTE: not marked "server-only" because prisma/seed.ts (plain Node) records the seeding too;
 * it touches the database only through the client it is given.
 */
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import {
  parseAuditPayload,
  type AuditAction,
  type AuditOutcome,
  type AuditPayload,
} from "@/lib/domain/audit-actions";
import { entryBytes, signEntry, type EntryContent } from "@/lib/domain/audit-entry";
import { PROMPT_CHECKPOINT_ACTIONS } from "@/lib/domain/checkpoint-cadence";
import { LIVE_CHANNEL, liveChangeOf, livePayload } from "@/lib/domain/live-changes";
import type { StaffRole } from "@/lib/domain/roles";
import { inTransactionScope } from "@/lib/pg-connect";
import { eventSigner } from "./audit-keys";
import { countCommittedAudit, metrics } from "./metrics";
import type { RequestContext } from "./request-context";
import { attachSlot, endingWork, executeThenCommit, transactionSlot } from "./tx-sql";

export type Tx = Prisma.TransactionClient;

export type AuditActor =
  | { type: "STAFF"; id: string; name: string; role: StaffRole }
  | { type: "SYSTEM"; name: string }
  /** A workforce user acting for themselves or as someone's manager (through a one-time link). */
  | { type: "WORKFORCE_USER"; id: string; name: string }
  | { type: "ANONYMOUS" };

export type AuditEventInput<A extends AuditAction> = {
  action: A;
  outcome: AuditOutcome;
  /** For a refusal: the DomainError code or a short machine reason. */
  reason?: string;
  actor: AuditActor;
  target?: { type: string; id: string };
  subjectUserId?: string;
  caseId?: string;
  data: AuditPayload<A>;
  request?: RequestContext;
};

/** The advisory lock that serializes appends, so positions never fork or skip (docs/security-requirements.md H4). */
export const AUDIT_CHAIN_LOCK = 7_355_608;

/** The channel on which deciding transactions ask the signer for a checkpoint (audit_append). */
export const CHECKPOINT_CHANNEL = "audit_checkpoint";

type Prepared = { content: EntryContent; entry: Buffer; signature: Buffer };

/** The events recorded in each open audited transaction, appended when its work is done. */
const pending = new WeakMap<Tx, Prepared[]>();

type TransactionRunner = {
  $transaction<T>(
    fn: (tx: Tx) => Promise<T>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<T>;
};

/**
 * Waits this long for a connection from the pool (a busy database queues work, it does not fail
 * it), and lets a transaction run this long before PostgreSQL's side is rolled back.
 */
export const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

/**
 * Runs `work` in one transaction (READ COMMITTED, PostgreSQL's default, which the append needs:
 * see appendRecorded) and appends the events it recorded as the transaction's last statement.
 * Opened in a scope of its own, so that `txSql(tx)` sends raw statements straight to the
 * transaction's connection (docs/decisions/046).
 */
export async function auditedTransaction<T>(
  client: TransactionRunner,
  work: (tx: Tx) => Promise<T>,
  options: { maxWait?: number; timeout?: number } = {},
): Promise<T> {
  let committed: Prepared[] = [];
  let done: { result: T } | null = null;
  const slot = transactionSlot();
  let result: T;
  try {
    result = await inTransactionScope(slot, () =>
      client.$transaction(
        async (tx) => {
          const events: Prepared[] = [];
          pending.set(tx, events);
          attachSlot(tx, slot);
          try {
            const result = await work(tx);
            endingWork(tx);
            await appendRecorded(tx, events);
            committed = events;
            done = { result };
            return result;
          } finally {
            pending.delete(tx);
          }
        },
        { ...TRANSACTION_OPTIONS, ...options },
      ),
    );
  } catch (error) {
    // The append committed the transaction (docs/decisions/048), and Prisma's manager failed only
    // in ending it afterwards (its time ran out while the append waited): the change is made,
    // and the caller is told so rather than that it failed.
    if (!slot.committed || done === null) throw error;
    result = (done as { result: T }).result;
  }
  // Counted once the transaction has committed (docs/decisions/041): a rollback counts nothing.
  countCommittedAudit(committed.map((event) => event.content));
  return result;
}

/**
 * The longest actor name an event records, in characters: a staff member's name is the identity
 * provider's `name` claim, of any length, and the actor search's indexes (decision 047) hold at
 * most about 2,700 bytes an entry. The rest of a longer name is cut, never the event.
 */
export const ACTOR_NAME_MAX = 200;

function boundedName(name: string): string {
  const characters = Array.from(name);
  return characters.length > ACTOR_NAME_MAX ? characters.slice(0, ACTOR_NAME_MAX).join("") : name;
}

export async function recordAudit<A extends AuditAction>(
  tx: Tx,
  event: AuditEventInput<A>,
): Promise<void> {
  const events = pending.get(tx);
  if (!events)
    throw new Error(
      "recordAudit needs a transaction opened with auditedTransaction (it appends the events last)",
    );
  const data = parseAuditPayload(event.action, event.data);
  const actor = event.actor;
  const signer = eventSigner();
  const content: EntryContent = {
    eventId: randomUUID(),
    appTime: new Date().toISOString(),
    keyId: signer.keyId,
    action: event.action,
    outcome: event.outcome,
    reason: event.reason ?? null,
    actorType: actor.type,
    actorId: actor.type === "STAFF" || actor.type === "WORKFORCE_USER" ? actor.id : null,
    actorName: actor.type === "ANONYMOUS" ? "anonymous" : boundedName(actor.name),
    actorRole: actor.type === "STAFF" ? actor.role : null,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    subjectUserId: event.subjectUserId ?? null,
    caseId: event.caseId ?? null,
    requestId: event.request?.requestId ?? null,
    ip: event.request?.ip ?? null,
    data,
  };
  const entry = entryBytes(content);
  events.push({ content, entry, signature: signEntry(entry, signer.privateKey) });
}

/**
 * The append: one call of the database function audit_append, which takes the lock and then, in
 * its own statement, reads the head position from its unique index and inserts the events at the
 * next positions; then the COMMIT, sent with it (decision 048). The INSERT is a statement of its own because at
 * READ COMMITTED each statement of a volatile function takes a new snapshot: it sees the previous
 * holder's commit. A snapshot taken before the lock was granted would not, and the unique
 * position would then fail the append rather than fork the log.
 */
async function appendRecorded(tx: Tx, events: Prepared[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ content, entry, signature }) => ({
    ...content,
    entry: entry.toString("base64"),
    signature: signature.toString("base64"),
  }));
  // A high-risk decision asks the signer for a checkpoint; PostgreSQL delivers it at commit.
  const notify = events.some((event) => PROMPT_CHECKPOINT_ACTIONS.has(event.content.action));
  // The pages showing what changed refresh themselves (docs/decisions/023): one notification in
  // the same statement, delivered at commit, so a rolled-back change announces nothing.
  const live = liveChangeOf(events.map((event) => event.content));
  // The chain lock's wait and the insert under it: the one statement below.
  const stopTimer = metrics().auditAppend.startTimer();
  // The COMMIT goes in the same message (docs/decisions/048): the lock is released at the
  // commit's flush, without waiting on this process's event loop in between.
  if (live)
    await executeThenCommit(
      tx,
    )`SELECT "audit_append"(${JSON.stringify(rows)}::jsonb, ${notify}), pg_notify(${LIVE_CHANNEL}, ${livePayload(live)})`;
  else
    await executeThenCommit(tx)`SELECT "audit_append"(${JSON.stringify(rows)}::jsonb, ${notify})`;
  stopTimer();
}

export function staffActor(staff: { id: string; name: string; role: StaffRole }): AuditActor {
  return { type: "STAFF", id: staff.id, name: staff.name, role: staff.role };
}
