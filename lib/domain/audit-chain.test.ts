import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AUDIT_FORMAT_V1,
  chainHashV1,
  GENESIS,
  verifyChainSegment,
  type ChainedContent,
  type ChainedEvent,
} from "./audit-chain";

const content = (i: number): ChainedContent => ({
  createdAt: new Date(Date.UTC(2026, 10, 22, 12, 0, i)).toISOString(),
  action: i % 2 ? "tap.issued" : "case.opened",
  outcome: i % 3 ? "ALLOWED" : "REFUSED",
  reason: i % 3 ? null : "FORBIDDEN",
  actorType: "STAFF",
  actorId: `00000000-0000-4000-8000-00000000000${i % 10}`,
  actorName: `Agent ${i}`,
  actorRole: "AGENT",
  targetType: "case",
  targetId: `case-${i}`,
  subjectUserId: null,
  caseId: `case-${i}`,
  requestId: `req-${i}`,
  ip: "192.0.2.1",
  data: { n: i, nested: { list: [i, "x"] } },
});

function chain(length: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = GENESIS;
  for (let i = 0; i < length; i++) {
    const c = content(i);
    const hash = chainHashV1(prev, c);
    events.push({ id: BigInt(i + 1), formatVersion: AUDIT_FORMAT_V1, prevHash: prev, hash, ...c });
    prev = hash;
  }
  return events;
}

describe("audit hash chain", () => {
  it("verifies an intact chain", () => {
    expect(verifyChainSegment(chain(20), null)).toEqual({
      break: null,
      last: chain(20).at(-1)!.hash,
      checked: 20,
    });
  });

  it("detects a change to any single field of any event, at that event", () => {
    const fields = Object.keys(content(0)) as (keyof ChainedContent)[];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.constantFrom(...fields),
        fc.string({ minLength: 1 }),
        (index, field, value) => {
          const events = chain(12);
          const original = events[index]![field];
          const tampered =
            field === "data"
              ? { ...(original as object), injected: value }
              : `${String(original)}${value}`;
          events[index] = { ...events[index]!, [field]: tampered };
          expect(verifyChainSegment(events, null).break).toEqual({
            id: BigInt(index + 1),
            problem: "hash does not match content",
          });
        },
      ),
    );
  });

  it("detects a flipped bit in a stored hash, and an event removed from the middle", () => {
    const flipped = chain(6);
    const bad = flipped[2]!.hash!;
    flipped[2] = { ...flipped[2]!, hash: (bad[0] === "0" ? "1" : "0") + bad.slice(1) };
    expect(verifyChainSegment(flipped, null).break?.id).toBe(3n);
    const removed = chain(6).filter((e) => e.id !== 4n);
    expect(verifyChainSegment(removed, null).break).toEqual({
      id: 5n,
      problem: "not linked to the previous event",
    });
  });

  it("skips legacy events written before the chain, but not a gap inside it", () => {
    const legacy: ChainedEvent = {
      ...content(99),
      id: 0n,
      formatVersion: AUDIT_FORMAT_V1,
      prevHash: null,
      hash: null,
    };
    expect(verifyChainSegment([legacy, ...chain(3)], null).break).toBeNull();
    const inside = chain(3);
    expect(verifyChainSegment([...inside, { ...legacy, id: 9n }], null).break).toEqual({
      id: 9n,
      problem: "event without a hash inside the chain",
    });
  });

  it("refuses an event in a format it does not know, naming it, instead of hashing it as v1", () => {
    for (const version of [0, 2, 99]) {
      const events = chain(5);
      // Even a v1-valid hash does not make it pass: the version says the bytes mean something else.
      events[2] = { ...events[2]!, formatVersion: version };
      expect(verifyChainSegment(events, null)).toEqual({
        break: { id: 3n, problem: "unknown format version" },
        last: events[1]!.hash,
        checked: 2,
      });
    }
    const legacy: ChainedEvent = {
      ...content(99),
      id: 0n,
      formatVersion: 2,
      prevHash: null,
      hash: null,
    };
    expect(verifyChainSegment([legacy, ...chain(2)], null).break).toEqual({
      id: 0n,
      problem: "unknown format version",
    });
  });
});
