import { describe, expect, it } from "vitest";
import {
  countBy,
  median,
  minutesToRevocation,
  repeatCallers,
  REVOKED_BEFORE_CASE_MINUTES,
} from "./reports";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 22, 9, minutes));

describe("reports", () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("median of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it("counts by key, most first", () => {
    expect(countBy(["a", "b", "a", "c", "a", "b"], (x) => x)).toEqual([
      { key: "a", count: 3 },
      { key: "b", count: 2 },
      { key: "c", count: 1 },
    ]);
  });

  it("measures each stolen-device call to the first revocation after it", () => {
    const cases = [
      { userId: "u1", agentId: "a1", openedAt: at(0) },
      { userId: "u2", agentId: "a1", openedAt: at(10) },
      { userId: "u3", agentId: "a1", openedAt: at(0) },
    ];
    const revocations = [
      { userId: "u1", actorId: "a2", at: at(7) },
      { userId: "u1", actorId: "a2", at: at(3) },
      { userId: "u2", actorId: "a2", at: at(40) },
    ];
    expect(minutesToRevocation(cases, revocations)).toEqual([3, 30]);
  });

  it("counts the recommended order, revoke first and then open the case, as the call's first act (0 minutes)", () => {
    // The agent revoked at 9:05 and opened the case at 9:12: the call did revoke.
    const revokedFirst = minutesToRevocation(
      [{ userId: "u1", agentId: "a1", openedAt: at(12) }],
      [{ userId: "u1", actorId: "a1", at: at(5) }],
    );
    expect(revokedFirst).toEqual([0]);
    // The other order, for comparison: opened at 9:05, revoked at 9:12.
    expect(
      minutesToRevocation(
        [{ userId: "u1", agentId: "a1", openedAt: at(5) }],
        [{ userId: "u1", actorId: "a1", at: at(12) }],
      ),
    ).toEqual([7]);
  });

  it("takes a revocation before the case only from the case's agent, within the window, and not one an earlier case already had", () => {
    const opened = at(40);
    const kase = { userId: "u1", agentId: "a1", openedAt: opened };
    const before = (minutes: number, actorId = "a1") => ({
      userId: "u1",
      actorId,
      at: new Date(opened.getTime() - minutes * 60_000),
    });
    expect(REVOKED_BEFORE_CASE_MINUTES).toBe(30);
    expect(minutesToRevocation([kase], [before(30)])).toEqual([0]);
    expect(minutesToRevocation([kase], [before(31)])).toEqual([]);
    expect(minutesToRevocation([kase], [before(2, "someone else")])).toEqual([]);
    expect(minutesToRevocation([kase], [{ ...before(2), userId: "u2" }])).toEqual([]);
    // An earlier stolen-device case of the same person, 10 minutes before: the revocation 20
    // minutes before the second case belongs to the first (0 minutes there), not to the second.
    const earlier = { userId: "u1", agentId: "a1", openedAt: at(30) };
    expect(minutesToRevocation([earlier, kase], [before(20)])).toEqual([0]);
    // The first revocation after a case counts even when it comes from another agent.
    expect(minutesToRevocation([kase], [{ ...before(-5), actorId: "a9" }])).toEqual([5]);
  });

  it("lists repeat callers", () => {
    expect(
      repeatCallers([
        { userId: "a", userName: "Ada" },
        { userId: "b", userName: "Ben" },
        { userId: "a", userName: "Ada" },
        { userId: "a", userName: "Ada" },
      ]),
    ).toEqual([{ userId: "a", userName: "Ada", calls: 3 }]);
  });
});
