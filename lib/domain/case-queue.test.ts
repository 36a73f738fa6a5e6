import { describe, expect, it } from "vitest";
import {
  deadlinesOf,
  formatDuration,
  parseQueueFilters,
  queueHref,
  queueViewLabel,
  timeLeft,
} from "./case-queue";

const now = new Date("2026-11-24T10:00:00Z");
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000);

describe("queue views", () => {
  it("names the default view for the viewer: a desk's own team, or every team for a reviewer", () => {
    expect(queueViewLabel("team", "AGENT")).toBe("My team’s open cases");
    expect(queueViewLabel("team", "SUPERVISOR")).toBe("My team’s open cases");
    expect(queueViewLabel("team", "SECURITY")).toBe("Every team’s open cases");
    expect(queueViewLabel("mine", "SECURITY")).toBe("Mine");
  });
});

describe("queue filters", () => {
  it("reads the address, falling back to the team's open cases for anything unreadable", () => {
    expect(parseQueueFilters({})).toEqual({ view: "team" });
    expect(
      parseQueueFilters({ view: "mine", reason: "STOLEN_DEVICE", tier: "PRIVILEGED" }),
    ).toEqual({ view: "mine", reason: "STOLEN_DEVICE", tier: "PRIVILEGED" });
    expect(parseQueueFilters({ view: "everything", reason: "BORED", tier: "x" })).toEqual({
      view: "team",
    });
    expect(parseQueueFilters({ view: ["stopped", "mine"], q: "  INC0012345  " })).toEqual({
      view: "stopped",
      q: "INC0012345",
    });
  });

  it("writes the address back without empty filters, so a view can be shared", () => {
    expect(queueHref({ view: "team" })).toBe("/cases");
    expect(queueHref({ view: "waiting", tier: "STANDARD", q: "HD-1" })).toBe(
      "/cases?view=waiting&tier=STANDARD&q=HD-1",
    );
    const filters = parseQueueFilters({ view: "supervisor", reason: "LOST_DEVICE" });
    expect(queueHref(filters)).toBe("/cases?view=supervisor&reason=LOST_DEVICE");
  });
});

describe("deadlines", () => {
  it("lists the running clocks soonest first and leaves out used, voided, lapsed and decided ones", () => {
    const deadlines = deadlinesOf(
      {
        accessPasses: [
          { expiresAt: inMinutes(30), usedAt: null, voidedAt: null },
          { expiresAt: inMinutes(10), usedAt: inMinutes(-1), voidedAt: null },
        ],
        enrolmentLinks: [{ expiresAt: inMinutes(-5), usedAt: null, voidedAt: null }],
        stepLinks: [
          { kind: "MANAGER_CONFIRMATION", expiresAt: inMinutes(12), usedAt: null, voidedAt: null },
          {
            kind: "PASSKEY_PROOF",
            expiresAt: inMinutes(50),
            usedAt: null,
            voidedAt: inMinutes(-2),
          },
        ],
        approvals: [
          { status: "PENDING", expiresAt: inMinutes(3) },
          { status: "APPROVED", expiresAt: inMinutes(20) },
        ],
      },
      now,
    );
    expect(deadlines).toEqual([
      { kind: "approval", at: inMinutes(3) },
      { kind: "managerLink", at: inMinutes(12) },
      { kind: "pass", at: inMinutes(30) },
    ]);
  });

  it("shows time left at a glance, urgent under five minutes", () => {
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(65 * 60_000)).toBe("1 h 5 min");
    expect(formatDuration(120 * 60_000)).toBe("2 h");
    expect(formatDuration(51 * 3600_000)).toBe("2 d 3 h");
    expect(formatDuration(-5)).toBe("0 s");
    expect(timeLeft(inMinutes(4), now)).toEqual({ text: "4 min left", urgent: true });
    expect(timeLeft(inMinutes(6), now)).toEqual({ text: "6 min left", urgent: false });
  });
});
