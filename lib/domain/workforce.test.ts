import { describe, expect, it } from "vitest";
import { forbiddenCharacterMessage } from "./plain-text";
import {
  directorySummary,
  DirectorySearchSchema,
  isLeaver,
  WorkforceUserIdSchema,
} from "./workforce";

describe("DirectorySearchSchema", () => {
  it("accepts an empty search as page 1 of everyone", () => {
    expect(DirectorySearchSchema.parse({})).toEqual({ page: 1 });
  });

  it("trims the query and coerces the page", () => {
    expect(DirectorySearchSchema.parse({ q: "  chen ", tier: "HIGH_RISK", page: "2" })).toEqual({
      q: "chen",
      tier: "HIGH_RISK",
      page: 2,
    });
  });

  it.each([
    "+44 (0)20 7946 0958",
    "(415) 555-0100",
    "415.555.0100",
    "Okafor, Ada",
    "ada.okafor",
    "O'Brien-Smith",
    "020/7946 0958",
  ])("accepts %j, as a phone number, a name or an address is written", (q) => {
    expect(DirectorySearchSchema.parse({ q }).q).toBe(q);
  });

  const characters =
    "Search by name, email, phone or employee ID (letters, digits, spaces and . @ ' _ + - ( ) , /).";
  it.each([
    [{ q: "x".repeat(101) }, "Search for at most 100 characters."],
    [{ q: "chen'; drop table" }, characters],
    [{ q: "<script>" }, characters],
    [{ q: "ada%" }, characters],
    [{ q: "ada\tokafor" }, forbiddenCharacterMessage("The search")],
    [{ tier: "VIP" }, "Unknown risk tier."],
    [{ status: "FIRED" }, "Unknown employment status."],
    [{ page: "two" }, "Page must be a number."],
    [{ page: "0" }, "Pages start at 1."],
    [{ page: "1.5" }, "Page must be a whole number."],
  ])("refuses %j with a clear message", (input, message) => {
    const result = DirectorySearchSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toContain(message);
  });
});

describe("isLeaver", () => {
  const today = new Date("2026-11-22T15:00:00Z");
  it.each([
    ["active", { status: "ACTIVE", leavingOn: null }, false],
    ["left", { status: "LEFT", leavingOn: new Date("2026-10-01") }, true],
    ["leaving later", { status: "LEAVING", leavingOn: new Date("2026-12-01") }, false],
    ["leaving today (last day)", { status: "LEAVING", leavingOn: new Date("2026-11-22") }, false],
    ["leaving date passed", { status: "LEAVING", leavingOn: new Date("2026-11-21") }, true],
  ] as const)("%s", (_label, user, expected) => {
    expect(isLeaver(user, today)).toBe(expected);
  });
});

describe("WorkforceUserIdSchema", () => {
  it("accepts a UUID and refuses anything else", () => {
    expect(WorkforceUserIdSchema.safeParse("5b0c4f5e-8a49-4b1e-9a61-3c2a1f0e9d7b").success).toBe(
      true,
    );
    expect(WorkforceUserIdSchema.safeParse("42").success).toBe(false);
    expect(WorkforceUserIdSchema.safeParse("../../etc/passwd").success).toBe(false);
  });
});

describe("directorySummary", () => {
  const line = (total: number, capped: boolean, pageCount: number | null, page = 1, shown = 25) =>
    directorySummary({ total, capped, pageCount, page, shown });

  it("gives an exact count and the pages under the cap", () => {
    expect(line(0, false, 1, 1, 0)).toBe("No users match.");
    expect(line(1, false, 1, 1, 1)).toBe("1 user");
    expect(line(20, false, 1, 1, 20)).toBe("20 users");
    expect(line(1000, false, 40, 2)).toBe("1,000 users · page 2 of 40");
  });

  it("says 1,000+ past the cap, with the page but no page count", () => {
    expect(line(1000, true, null, 3)).toBe("1,000+ users · page 3");
  });

  it("says when a page is past the end", () => {
    expect(line(30, false, 2, 5, 0)).toBe("30 users; none on page 5: the search has 2 pages.");
    expect(line(1000, true, null, 900, 0)).toBe("1,000+ users; none on page 900: go back.");
  });
});
