import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isSessionLive,
  nextSessionDeadline,
  sessionAbsoluteDeadline,
  STAFF_SESSION_ABSOLUTE_MS,
  STAFF_SESSION_IDLE_MS,
} from "./staff-session";

const start = new Date("2026-11-22T08:00:00Z");
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

describe("staff session lifetime", () => {
  it("is 30 minutes idle and 12 hours absolute (docs/product.md)", () => {
    expect(STAFF_SESSION_IDLE_MS).toBe(30 * 60_000);
    expect(STAFF_SESSION_ABSOLUTE_MS).toBe(12 * 60 * 60_000);
  });

  it.each([
    ["just signed in", 0, 0, true],
    ["29 min idle", 0, 29, true],
    ["30 min idle", 0, 30, false],
    ["used at 11h50, checked at 11h59", 11 * 60 + 50, 11 * 60 + 59, true],
    ["past 12 hours even if just used", 12 * 60 - 1, 12 * 60, false],
  ])("%s", (_label, lastUsedMinute, checkMinute, live) => {
    const expires = nextSessionDeadline({ createdAt: start }, at(lastUsedMinute));
    expect(isSessionLive({ createdAt: start, expires }, at(checkMinute))).toBe(live);
  });

  it("never slides the idle deadline past the absolute cap", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 60 }), (minute) => {
        const deadline = nextSessionDeadline({ createdAt: start }, at(minute));
        expect(deadline.getTime()).toBeLessThanOrEqual(sessionAbsoluteDeadline(start).getTime());
        expect(deadline.getTime()).toBeLessThanOrEqual(
          at(minute).getTime() + STAFF_SESSION_IDLE_MS,
        );
      }),
    );
  });
});
