import { describe, expect, it } from "vitest";
import {
  liveChangeOf,
  livePayload,
  MAX_IDS,
  MAX_TOPICS,
  parseLiveChange,
  parseTopics,
  touchedTopics,
} from "./live-changes";

const caseA = "11111111-1111-4111-8111-111111111111";
const caseB = "22222222-2222-4222-8222-222222222222";
const userA = "33333333-3333-4333-8333-333333333333";

describe("live changes", () => {
  it("names the cases and people a transaction's events are about", () => {
    expect(
      liveChangeOf([
        { action: "step.recorded", caseId: caseA, subjectUserId: userA },
        { action: "approval.approved", caseId: caseA, subjectUserId: userA },
      ]),
    ).toEqual({ cases: [caseA], users: [userA], approvals: true, queue: true });
  });

  it("tells the queue when a decision about a person stops or frees all their cases", () => {
    expect(
      liveChangeOf([{ action: "workforce.status_changed", caseId: null, subjectUserId: userA }]),
    ).toEqual({ cases: [], users: [userA], approvals: false, queue: true });
    expect(
      liveChangeOf([{ action: "passkey.revoked", caseId: null, subjectUserId: userA }]),
    ).toEqual({ cases: [], users: [userA], approvals: false, queue: false });
  });

  it("stays quiet for reads and sign-ins, which change nothing a page shows", () => {
    expect(liveChangeOf([{ action: "audit.viewed", caseId: null, subjectUserId: userA }])).toBe(
      null,
    );
    expect(liveChangeOf([{ action: "staff.signed_in", caseId: null, subjectUserId: null }])).toBe(
      null,
    );
  });

  it("asks everyone to refresh rather than send a payload PostgreSQL would refuse", () => {
    const many = Array.from({ length: MAX_IDS + 1 }, (_, i) => ({
      action: "passkey.revoked",
      caseId: null,
      subjectUserId: `${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`,
    }));
    const change = liveChangeOf(many)!;
    expect(change.all).toBe(true);
    expect(livePayload(change).length).toBeLessThan(8000);
    const biggest = liveChangeOf(many.slice(0, MAX_IDS))!;
    expect(livePayload(biggest).length).toBeLessThan(8000);
  });

  it("reads back only its own payloads", () => {
    const change = { cases: [caseA], users: [], approvals: false, queue: true };
    expect(parseLiveChange(livePayload(change))).toEqual(change);
    expect(parseLiveChange("not json")).toBe(null);
    expect(
      parseLiveChange(JSON.stringify({ cases: ["x"], users: [], approvals: false, queue: true })),
    ).toBe(null);
    expect(parseLiveChange(undefined)).toBe(null);
  });

  it("parses the topics a page asks for, refusing anything else", () => {
    expect(parseTopics(`case:${caseA},queue,queue`)).toEqual({
      ok: true,
      topics: [`case:${caseA}`, "queue"],
    });
    expect(parseTopics("").ok).toBe(false);
    expect(parseTopics("case:nope").ok).toBe(false);
    // Shaped like a UUID is not enough: PostgreSQL would refuse it (a 500, not a 400).
    expect(parseTopics(`case:${"-".repeat(36)}`).ok).toBe(false);
    expect(parseTopics(`user:${"a".repeat(36)}`).ok).toBe(false);
    expect(parseTopics("everything").ok).toBe(false);
    expect(
      parseTopics(
        Array(MAX_TOPICS + 1)
          .fill("queue")
          .join(","),
      ).ok,
    ).toBe(false);
  });

  it("tells each page whether a change touches it", () => {
    const change = { cases: [caseA], users: [userA], approvals: false, queue: true };
    expect(touchedTopics([`case:${caseA}`, `case:${caseB}`, "queue", "approvals"], change)).toEqual(
      [`case:${caseA}`, "queue"],
    );
    expect(touchedTopics([`user:${userA}`], change)).toEqual([`user:${userA}`]);
    expect(touchedTopics(["approvals"], { ...change, approvals: true })).toEqual(["approvals"]);
    expect(
      touchedTopics([`case:${caseB}`], {
        cases: [],
        users: [],
        approvals: true,
        queue: true,
        all: true,
      }),
    ).toEqual([`case:${caseB}`]);
    expect(
      touchedTopics(["queue"], { cases: [], users: [userA], approvals: false, queue: false }),
    ).toEqual([]);
  });
});
