import "server-only";
import {
  AUDIT_PAGE_SIZE,
  auditPageWindow,
  countHiddenReads,
  resolveAuditSearch,
  rowsInOrder,
} from "./audit-where";
import type { KeyObject } from "node:crypto";
import { chainHashV1, GENESIS, type ChainedContent } from "@/lib/domain/audit-chain";
import { checkV2Row, type StoredRow } from "@/lib/domain/audit-log-check";
import type { AuditSearch } from "@/lib/domain/audit-search";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { trustedEventKeys } from "./audit-keys";
import type { RequestContext } from "./request-context";
import { findSeal } from "./seal-v1-log";
import type { CurrentStaff } from "./resume-staff-session";

export { AUDIT_PAGE_SIZE };

/**
 * Why each row is not part of the log, or null: the same per-row check as the verifiers (a v2
 * row's signature, entry and position). A v1 row must sit inside the sealed v1 chain: in its id
 * range, hashed and linked to a row before it (or, without a hash, before the chain began), with
 * the range still holding as many rows as were sealed. A page shows what it reads, marked, so a
 * planted row never passes for a real event.
 */
export async function markRows(rows: StoredRow[]): Promise<(string | null)[]> {
  const keys = trustedEventKeys();
  const v1 = rows.filter((row) => row.formatVersion === 1) as (StoredRow & V1Columns)[];
  const v1Marks = v1.length > 0 ? await markV1Rows(v1, keys) : new Map<bigint, string | null>();
  return rows.map((row) => {
    if (row.formatVersion === 1) return v1Marks.get(row.id) ?? null;
    const check = checkV2Row(row, keys);
    return check.ok ? null : check.problem;
  });
}

/**
 * The rows that are part of the log, for pages that show events without marks (a case's
 * timeline, a user's recent events): a planted or altered row is never shown there as a real
 * event. The audit page shows such rows marked instead.
 */
export async function onlyPartOfTheLog<T extends StoredRow>(rows: T[]): Promise<T[]> {
  const marks = await markRows(rows);
  return rows.filter((_, i) => marks[i] === null);
}

type V1Columns = { prevHash: string | null; hash: string | null };

async function markV1Rows(
  rows: (StoredRow & V1Columns)[],
  keys: ReadonlyMap<string, KeyObject>,
): Promise<Map<bigint, string | null>> {
  const seal = await findSeal(db, keys);
  const all = (problem: string) => new Map(rows.map((row) => [row.id, problem]));
  if (!seal) return all("a v1 row, but no v1 log was sealed into this one");
  const range = { gte: BigInt(seal.firstId), lte: BigInt(seal.headId) };
  const [count, firstChained, links] = await Promise.all([
    db.auditEvent.count({ where: { formatVersion: 1, id: range } }),
    db.auditEvent.findFirst({
      where: { formatVersion: 1, id: range, hash: { not: null } },
      orderBy: { id: "asc" },
      select: { id: true },
    }),
    db.auditEvent.findMany({
      where: { formatVersion: 1, hash: { in: rows.flatMap((row) => row.prevHash ?? []) } },
      select: { id: true, hash: true },
    }),
  ]);
  // A count that no longer matches can only be judged row by row for chained rows (each must
  // link into the chain); the legacy rows, which nothing chains, are all in doubt then. The full
  // walk names the culprit with the seal's digest.
  const legacyInDoubt = count !== seal.rows;
  const before = new Map(links.map((link) => [link.hash!, link.id]));
  return new Map(
    rows.map((row) => {
      const inRange = row.id >= range.gte && row.id <= range.lte;
      if (!inRange) return [row.id, "a v1 row outside the sealed v1 chain"];
      if (row.hash === null)
        return [
          row.id,
          firstChained && row.id > firstChained.id
            ? "a v1 row without a hash inside the chain"
            : seal.legacyIds
              ? seal.legacyIds.includes(row.id.toString())
                ? null
                : "a v1 row the seal does not list"
              : legacyInDoubt
                ? "the sealed v1 rows no longer match their seal (npm run audit:verify names which)"
                : null,
        ];
      const content = { ...row, createdAt: row.createdAt.toISOString() } as ChainedContent;
      if (chainHashV1(row.prevHash ?? "", content) !== row.hash)
        return [row.id, "a v1 row whose hash does not match its content"];
      const linked =
        row.prevHash === GENESIS
          ? row.id === firstChained?.id
          : (before.get(row.prevHash ?? "") ?? row.id) < row.id;
      return [row.id, linked ? null : "a v1 row not linked into the sealed chain"];
    }),
  );
}

/**
 * The filters as recorded in the audit trail of a read or an export: what selects rows, not how
 * the page is viewed (its cursors, the integrity check, whether reads are shown).
 */
export function auditFilters(search: AuditSearch): Record<string, string> {
  // The view, and the actor names a search was matched to (audit-where.ts): not filters.
  const view = new Set(["before", "after", "verify", "reads", "actorNames"]);
  return Object.fromEntries(
    Object.entries(search)
      .filter(([key, value]) => value !== undefined && !view.has(key))
      .map(([k, v]) => [k, String(v)]),
  );
}

/**
 * One page of the reviewer's audit page (docs/decisions/022, 026): the events newest first, the
 * cursors to the newer and older pages, how many reads of the trail it hides, and the names of
 * the users the rows are about. The read is itself audited (audit.viewed).
 */
export async function findAuditEvents(input: {
  actor: CurrentStaff;
  search: AuditSearch;
  request?: RequestContext;
}) {
  const filters = auditFilters(input.search);
  // Newest first: by id, or with a date range by (createdAt, id) (audit-where.ts).
  const readPage = async () => {
    const search = await resolveAuditSearch(db, input.search);
    return { search, window: await auditPageWindow(db, search, AUDIT_PAGE_SIZE) };
  };
  const [{ search, window }] = await Promise.all([
    readPage(),
    auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "audit.viewed",
        outcome: "ALLOWED",
        actor: staffActor(input.actor),
        data: { filters, verified: input.search.verify === "1" },
        request: input.request,
      }),
    ),
  ]);
  const page = await rowsInOrder(db, window.ids);
  // The users the rows are about, and the one the page is filtered by, by name.
  const userIds = [
    ...new Set([
      ...page.flatMap((event) => event.subjectUserId ?? []),
      ...(search.userId ? [search.userId] : []),
    ]),
  ];
  const [marks, hiddenReads, users] = await Promise.all([
    markRows(page),
    countHiddenReads(db, search, window),
    userIds.length > 0
      ? db.workforceUser.findMany({
          where: { id: { in: userIds } },
          select: { id: true, name: true },
        })
      : [],
  ]);
  return {
    events: page.map((event, i) => ({
      ...event,
      id: event.id.toString(),
      position: event.position?.toString() ?? null,
      entry: undefined,
      signature: undefined,
      /** Null when the row is part of the log; otherwise why it is not (decision 017). */
      notInLog: marks[i]!,
    })),
    newer: window.newer,
    older: window.older,
    /** The reads of the trail this page leaves out (null when it shows them). */
    hiddenReads,
    userNames: new Map(users.map((user) => [user.id, user.name])),
  };
}
