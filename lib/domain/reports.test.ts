import { describe, expect, it } from "vitest";
import { countBy, median, minutesToRevocation, repeatCallers } from "./reports";

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

  it("measures each stolen-device call to the first revocation after it, ignoring earlier ones", () => {
    const cases = [
      { userId: "u1", openedAt: at(0) },
      { userId: "u2", openedAt: at(10) },
      { userId: "u3", openedAt: at(0) },
    ];
    const revocations = [
      { userId: "u1", at: at(7) },
      { userId: "u1", at: at(3) },
      { userId: "u2", at: at(5) },
      { userId: "u2", at: at(40) },
    ];
    expect(minutesToRevocation(cases, revocations)).toEqual([3, 30]);
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
