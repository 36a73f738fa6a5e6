import { describe, expect, it } from "vitest";
import {
  activeLeavers,
  dormantHolders,
  lastSignIn,
  leaveToRevocation,
  leaveToRevocationCounts,
  parseDormantDays,
  type AccessHolder,
} from "./dormant-access";

const now = new Date("2026-11-24T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 60 * 60 * 1000);

const holder = (overrides: Partial<AccessHolder>): AccessHolder => ({
  userId: overrides.name ?? "u",
  name: "u",
  employeeId: "E1",
  status: "ACTIVE",
  leavingOn: null,
  passkeys: [],
  sessions: [],
  passes: 0,
  links: 0,
  openCases: 0,
  signIns: [],
  ...overrides,
});

describe("dormant access", () => {
  it("reads the period from the address, falling back to 90 days", () => {
    expect(parseDormantDays("30")).toBe(30);
    expect(parseDormantDays(["180"])).toBe(180);
    expect(parseDormantDays("45")).toBe(90);
    expect(parseDormantDays(undefined)).toBe(90);
    expect(parseDormantDays("1e9")).toBe(90);
  });

  it("lists leavers holding anything active, a passkey used after leaving first", () => {
    const rows = activeLeavers(
      [
        holder({
          name: "active with passkey",
          passkeys: [{ createdAt: daysAgo(100), lastUsedAt: daysAgo(1) }],
        }),
        holder({ name: "left, nothing active", status: "LEFT", leavingOn: daysAgo(10) }),
        holder({
          name: "b left, session",
          status: "LEFT",
          leavingOn: daysAgo(10),
          sessions: [{ createdAt: daysAgo(1) }],
        }),
        holder({ name: "c suspended, open case", status: "SUSPENDED", openCases: 1 }),
        holder({
          name: "z used after leaving",
          status: "LEFT",
          leavingOn: daysAgo(40),
          passkeys: [{ createdAt: daysAgo(400), lastUsedAt: daysAgo(19) }],
        }),
        holder({
          name: "d leaving date passed, status not yet",
          status: "LEAVING",
          leavingOn: daysAgo(3),
          passes: 1,
          links: 1,
        }),
        holder({
          name: "e leaving in future",
          status: "LEAVING",
          leavingOn: daysAgo(-3),
          passes: 1,
        }),
      ],
      now,
    );
    expect(rows.map((r) => [r.name, r.usedAfterLeaving])).toEqual([
      ["z used after leaving", true],
      ["b left, session", false],
      ["c suspended, open case", false],
      ["d leaving date passed, status not yet", false],
    ]);
    expect(rows[3]).toMatchObject({ passes: 1, links: 1, passkeys: 0 });
  });

  it("takes the last sign-in from passkey use and sessions, else the oldest enrolment", () => {
    expect(lastSignIn(holder({}))).toBeNull();
    expect(
      lastSignIn(
        holder({
          passkeys: [{ createdAt: daysAgo(50), lastUsedAt: daysAgo(20) }],
          signIns: [daysAgo(5)],
        }),
      ),
    ).toEqual(daysAgo(5));
    expect(
      lastSignIn(
        holder({
          passkeys: [
            { createdAt: daysAgo(50), lastUsedAt: null },
            { createdAt: daysAgo(80), lastUsedAt: null },
          ],
        }),
      ),
    ).toEqual(daysAgo(80));
  });

  it("lists passkey holders silent for N days, longest silent first", () => {
    const holders = [
      holder({ name: "recent", passkeys: [{ createdAt: daysAgo(300), lastUsedAt: daysAgo(10) }] }),
      holder({
        name: "silent 100",
        passkeys: [{ createdAt: daysAgo(300), lastUsedAt: daysAgo(100) }],
      }),
      holder({ name: "never used", passkeys: [{ createdAt: daysAgo(200), lastUsedAt: null }] }),
      holder({ name: "no passkeys", signIns: [daysAgo(400)] }),
    ];
    expect(dormantHolders(holders, 90, now).map((d) => [d.name, d.daysSince])).toEqual([
      ["never used", 200],
      ["silent 100", 100],
    ]);
    expect(dormantHolders(holders, 180, now).map((d) => d.name)).toEqual(["never used"]);
    expect(dormantHolders(holders, 30, now)).toHaveLength(2);
  });

  it("measures leaving date to revocation, ignoring revocations before the leaving date", () => {
    const leavers = [
      { userId: "a", name: "a", employeeId: "E1", leavingOn: daysAgo(10) },
      { userId: "b", name: "b", employeeId: "E2", leavingOn: daysAgo(40) },
      { userId: "c", name: "c", employeeId: "E3", leavingOn: daysAgo(20) },
      { userId: "d", name: "d", employeeId: "E4", leavingOn: daysAgo(-5) },
      { userId: "e", name: "e", employeeId: "E5", leavingOn: daysAgo(60) },
    ];
    const revocations = [
      { userId: "a", at: new Date(daysAgo(10).getTime() + 3600_000) },
      { userId: "b", at: daysAgo(35) },
      { userId: "b", at: daysAgo(30) },
      { userId: "c", at: daysAgo(25) },
      { userId: "e", at: daysAgo(5) },
    ];
    const rows = leaveToRevocation(leavers, revocations, now);
    expect(rows.map((r) => [r.userId, r.days, r.bucket])).toEqual([
      ["e", 55, "later"],
      ["c", 20, "not-yet"],
      ["b", 5, "within-week"],
      ["a", 0, "same-day"],
    ]);
    expect(leaveToRevocationCounts(rows).map((b) => [b.key, b.count])).toEqual([
      ["same-day", 1],
      ["within-week", 1],
      ["within-month", 0],
      ["later", 1],
      ["not-yet", 1],
    ]);
  });
});
