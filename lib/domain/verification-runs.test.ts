import { describe, expect, it } from "vitest";
import {
  ABANDONED_AFTER_MS,
  blocksAnother,
  parseDuty,
  parseScheduleHours,
  progressOf,
  restAfter,
  runState,
  scheduledRunDue,
} from "./verification-runs";

const now = new Date("2026-11-24T10:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const run = (over: Partial<Parameters<typeof runState>[0]>) => ({
  requestedAt: ago(60_000),
  startedAt: null,
  finishedAt: null,
  heartbeatAt: null,
  ok: null,
  ...over,
});

describe("a full verification's state", () => {
  it("is queued until a worker starts it, however long it waits", () => {
    expect(runState(run({ requestedAt: ago(86_400_000) }), now)).toBe("queued");
    expect(blocksAnother(run({}), now)).toBe(true);
  });

  it("is running while its worker reports, abandoned once it falls silent", () => {
    const started = run({ startedAt: ago(10 * 60_000), heartbeatAt: ago(1000) });
    expect(runState(started, now)).toBe("running");
    expect(blocksAnother(started, now)).toBe(true);
    const silent = run({ startedAt: ago(10 * 60_000), heartbeatAt: ago(ABANDONED_AFTER_MS + 1) });
    expect(runState(silent, now)).toBe("abandoned");
    expect(blocksAnother(silent, now)).toBe(false);
    // Started, never reported: judged from its start.
    expect(runState(run({ startedAt: ago(ABANDONED_AFTER_MS + 1) }), now)).toBe("abandoned");
    expect(runState(run({ startedAt: ago(5000) }), now)).toBe("running");
  });

  it("is abandoned when its heartbeat claims to come from the future (only a planted row has one)", () => {
    const planted = run({ startedAt: ago(60_000), heartbeatAt: new Date("2999-01-01T00:00:00Z") });
    expect(runState(planted, now)).toBe("abandoned");
    expect(blocksAnother(planted, now)).toBe(false);
    // A little ahead (clocks differ by moments) is still alive.
    expect(runState(run({ startedAt: ago(60_000), heartbeatAt: ago(-5000) }), now)).toBe("running");
  });

  it("is finished once it has a finish time, whatever its result", () => {
    const finished = run({ startedAt: ago(5000), finishedAt: ago(1000), ok: false });
    expect(runState(finished, now)).toBe("finished");
    expect(blocksAnother(finished, now)).toBe(false);
  });
});

describe("pacing", () => {
  it("rests so that work takes the duty's share of the time", () => {
    expect(restAfter(100, 0.25)).toBe(300);
    expect(restAfter(100, 0.5)).toBe(100);
    expect(restAfter(100, 1)).toBe(0);
    expect(restAfter(0, 0.5)).toBe(0);
  });

  it("reads the duty from the environment, refusing nonsense with a clear message", () => {
    expect(parseDuty(undefined)).toBe(0.5);
    expect(parseDuty("0.2")).toBe(0.2);
    expect(parseDuty("1")).toBe(1);
    for (const bad of ["0", "0.01", "2", "fast", "-1"])
      expect(() => parseDuty(bad)).toThrow(/AUDIT_VERIFY_DUTY must be a number from 0.05 to 1/);
  });
});

describe("the schedule", () => {
  it("asks for a run once the newest (or the log's beginning) is old enough", () => {
    expect(scheduledRunDue(ago(23 * 3600_000), 24, now)).toBe(false);
    expect(scheduledRunDue(ago(24 * 3600_000), 24, now)).toBe(true);
    expect(scheduledRunDue(null, 24, now)).toBe(false);
  });

  it("is off at 0 hours, and refuses nonsense", () => {
    expect(scheduledRunDue(ago(1000 * 3600_000), 0, now)).toBe(false);
    expect(parseScheduleHours(undefined)).toBe(24);
    expect(parseScheduleHours("0")).toBe(0);
    expect(() => parseScheduleHours("daily")).toThrow(/AUDIT_FULL_VERIFY_HOURS/);
    expect(() => parseScheduleHours("-3")).toThrow(/AUDIT_FULL_VERIFY_HOURS/);
  });
});

describe("progress", () => {
  it("gives the share done, the rate and the time left", () => {
    const progress = progressOf({ checked: 5000, total: 20_000, startedAt: ago(10_000) }, now);
    expect(progress.share).toBe(0.25);
    expect(progress.perSecond).toBe(500);
    expect(progress.secondsLeft).toBe(30);
  });

  it("knows nothing of rate before the first rows, and never passes the whole", () => {
    expect(progressOf({ checked: 0, total: 10, startedAt: ago(1000) }, now)).toEqual({
      share: 0,
      perSecond: null,
      secondsLeft: null,
    });
    expect(progressOf({ checked: 12, total: 10, startedAt: ago(1000) }, now).share).toBe(1);
    expect(progressOf({ checked: 0, total: 0, startedAt: null }, now).share).toBe(0);
  });
});
