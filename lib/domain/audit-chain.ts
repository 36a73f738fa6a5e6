/**
 * The audit trail's hash chain (SECURITY.md H4). Each event's hash covers the previous event's
 * hash and the event's canonical content, so editing, inserting or removing any event changes
 * every hash after it. The first chained event follows GENESIS.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./approval";

export const GENESIS = "0".repeat(64);

/** The fields a hash covers: everything an event says (its id only orders the chain). */
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

export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(content)).digest("hex");
}

export type ChainedEvent = ChainedContent & { id: bigint; prevHash: string | null; hash: string | null };

export type ChainBreak = { id: bigint; problem: "hash does not match content" | "not linked to the previous event" | "event without a hash inside the chain" };

/**
 * Checks events in id order, continuing from `previous` (the hash of the event before the first
 * one given, or null at the start of the table). Events before the first hashed one are legacy
 * (written before the chain existed) and skipped. Returns the first break, and where it ended.
 */
export function verifyChainSegment(events: readonly ChainedEvent[], previous: string | null): { break: ChainBreak | null; last: string | null; checked: number } {
  let last = previous;
  let checked = 0;
  for (const event of events) {
    if (event.hash === null) {
      if (last === null) continue;
      return { break: { id: event.id, problem: "event without a hash inside the chain" }, last, checked };
    }
    const expectedPrev = last ?? GENESIS;
    if (event.prevHash !== expectedPrev) return { break: { id: event.id, problem: "not linked to the previous event" }, last, checked };
    const { id: _id, prevHash: _prev, hash, ...content } = event;
    if (chainHash(expectedPrev, content) !== hash) return { break: { id: event.id, problem: "hash does not match content" }, last, checked };
    last = hash;
    checked++;
  }
  return { break: null, last, checked };
}
