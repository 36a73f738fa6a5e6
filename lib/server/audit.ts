/**
 * The one way to write the audit trail. Call it with the transaction that makes the change
 * (or, for a refusal, the transaction that records only the refusal): if the audit write
 * fails, the change rolls back with it. Never call it after a commit. Each event is chained to
 * the previous one by hash; appends are serialized by a transaction-scoped advisory lock.
 *
 * NOTE: not marked "server-only" because prisma/seed.ts (plain Node) records the seeding too;
 * it holds no secrets and touches the database only through the `tx` it is given.
 */
import type { Prisma } from "@/generated/prisma/client";
import {
  parseAuditPayload,
  type AuditAction,
  type AuditOutcome,
  type AuditPayload,
} from "@/lib/domain/audit-actions";
import {
  AUDIT_FORMAT_V1,
  chainHashV1,
  GENESIS,
  type ChainedContent,
} from "@/lib/domain/audit-chain";
import type { StaffRole } from "@/lib/domain/roles";
import type { RequestContext } from "./request-context";

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

/** The advisory lock that serializes appends, so the chain never forks (docs/security-requirements.md H4). */
export const AUDIT_CHAIN_LOCK = 7_355_608;

export async function recordAudit<A extends AuditAction>(
  tx: Tx,
  event: AuditEventInput<A>,
): Promise<void> {
  const data = parseAuditPayload(event.action, event.data);
  const actor = event.actor;
  // Held until this transaction ends: the next append sees this one as its predecessor.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const [last] = await tx.$queryRaw<
    { hash: string }[]
  >`SELECT hash FROM "AuditEvent" WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1`;
  const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
  const createdAt = clock!.now;
  const content: ChainedContent = {
    createdAt: createdAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    reason: event.reason ?? null,
    actorType: actor.type,
    actorId: actor.type === "STAFF" || actor.type === "WORKFORCE_USER" ? actor.id : null,
    actorName: actor.type === "ANONYMOUS" ? "anonymous" : actor.name,
    actorRole: actor.type === "STAFF" ? actor.role : null,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    subjectUserId: event.subjectUserId ?? null,
    caseId: event.caseId ?? null,
    requestId: event.request?.requestId ?? null,
    ip: event.request?.ip ?? null,
    data,
  };
  const prevHash = last?.hash ?? GENESIS;
  // The version is written, not left to the column default: the row says how it was hashed (docs/decisions/010).
  await tx.auditEvent.create({
    data: {
      ...content,
      formatVersion: AUDIT_FORMAT_V1,
      outcome: event.outcome,
      createdAt,
      data: data as Prisma.InputJsonValue,
      prevHash,
      hash: chainHashV1(prevHash, content),
    },
  });
}

export function staffActor(staff: { id: string; name: string; role: StaffRole }): AuditActor {
  return { type: "STAFF", id: staff.id, name: staff.name, role: staff.role };
}
