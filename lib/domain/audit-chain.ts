/**
 * The audit trail's hash chain (docs/security-requirements.md H4). Each event's hash covers the previous event's
 * hash and the event's canonical content, so editing, inserting or removing any event changes
 * every hash after it. The first chained event follows GENESIS.
 *
 * This is audit format v1 (docs/decisions/010-audit-format-versions.md): every event row says
 * which format it was written in, and a verifier refuses a version it does not know rather than
 * hashing it as v1. The v1 bytes are pinned by known answers in audit-format.test.ts.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";

/** The format every event is written in today: the chain below. */
export const AUDIT_FORMAT_V1 = 1;

export const GENESIS = "0".repeat(64);

/** The fields a v1 hash covers: everything an event says (its id only orders the chain; its format version is not covered). */
export type ChainedContent = {
  createdAt: string;
  action: string;
  outcome: string;
  reason: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  subjectUserId: string | null;
  caseId: string | null;
  requestId: string | null;
  ip: string | null;
  data: unknown;
};

export const V1_FIELDS = [
  "createdAt",
  "action",
  "outcome",
  "reason",
  "actorType",
  "actorId",
  "actorName",
  "actorRole",
  "targetType",
  "targetId",
  "subjectUserId",
  "caseId",
  "requestId",
  "ip",
  "data",
] as const satisfies readonly (keyof ChainedContent)[];

/**
 * Format v1: lowercase hex SHA-256 of `prevHash` (64 hex characters), a newline, and the canonical
 * JSON of exactly the fifteen content fields. Only those fields are taken from `content`, so a row
 * or an export line that carries more (its id, format version, chain fields) hashes the same.
 */
export function chainHashV1(prevHash: string, content: ChainedContent): string {
  const covered = Object.fromEntries(V1_FIELDS.map((field) => [field, content[field]]));
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson(covered))
    .digest("hex");
}

/** The v1 hash under its first name, for callers written before formats had versions. */
export const chainHash = chainHashV1;

export type ChainedEvent = ChainedContent & {
  id: bigint;
  formatVersion: number;
  prevHash: string | null;
  hash: string | null;
};

export type ChainBreak = {
  id: bigint;
  problem:
    | "hash does not match content"
    | "not linked to the previous event"
    | "event without a hash inside the chain"
    | "unknown format version";
};

/**
 * Checks events in id order, continuing from `previous` (the hash of the event before the first
 * one given, or null at the start of the table). Events before the first hashed one are legacy
 * (written before the chain existed) and skipped. Returns the first break, and where it ended.
 * An event in a format other than v1 is a break: hashing it as v1 would either pass something this
 * code cannot vouch for or fail it with the wrong reason.
 */
export function verifyChainSegment(
  events: readonly ChainedEvent[],
  previous: string | null,
): { break: ChainBreak | null; last: string | null; checked: number } {
  let last = previous;
  let checked = 0;
  for (const event of events) {
    if (event.formatVersion !== AUDIT_FORMAT_V1)
      return { break: { id: event.id, problem: "unknown format version" }, last, checked };
    if (event.hash === null) {
      if (last === null) continue;
      return {
        break: { id: event.id, problem: "event without a hash inside the chain" },
        last,
        checked,
      };
    }
    const expectedPrev = last ?? GENESIS;
    if (event.prevHash !== expectedPrev)
      return {
        break: { id: event.id, problem: "not linked to the previous event" },
        last,
        checked,
      };
    if (chainHashV1(expectedPrev, event) !== event.hash)
      return { break: { id: event.id, problem: "hash does not match content" }, last, checked };
    last = event.hash;
    checked++;
  }
  return { break: null, last, checked };
}
