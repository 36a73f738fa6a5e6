import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditSearchSchema, calendarDayProblem, hidesReads } from "./audit-search";

const messages = (input: Record<string, string>) => {
  const result = AuditSearchSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("the audit filters' dates", () => {
  it.each([
    ["2026-02-31", "There is no such date as 2026-02-31."],
    ["2026-13-01", "There is no such date as 2026-13-01."],
    ["2026-00-10", "There is no such date as 2026-00-10."],
    ["2026-04-31", "There is no such date as 2026-04-31."],
    ["2026-11-00", "There is no such date as 2026-11-00."],
    ["2025-02-29", "There is no such date as 2025-02-29."],
    ["1999-12-31", "Pick a date from the year 2000 on, not 1999-12-31."],
    ["0000-01-01", "Pick a date from the year 2000 on, not 0000-01-01."],
    ["2026-1-01", "Dates look like 2026-11-22."],
    ["2026-11-22T00:00", "Dates look like 2026-11-22."],
    ["２０２６-11-22", "Dates look like 2026-11-22."],
  ])("refuses %s: %s", (value, message) => {
    expect(calendarDayProblem(value)).toBe(message);
    expect(messages({ from: value })).toEqual([message]);
    expect(messages({ to: value })).toEqual([message]);
  });

  it.each(["2026-11-22", "2028-02-29", "2000-01-01", "9999-12-31", "2026-12-31"])(
    "accepts %s",
    (value) => {
      expect(calendarDayProblem(value)).toBeNull();
      expect(AuditSearchSchema.parse({ from: value, to: value })).toMatchObject({
        from: value,
        to: value,
      });
    },
  );

  it("accepts exactly the days a calendar has", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const value = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
          const real = month >= 1 && month <= 12 && day >= 1 && day <= days!;
          expect(calendarDayProblem(value) === null).toBe(real);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("refuses a page cursor beyond a bigint, and hidden characters in the actor search", () => {
    expect(messages({ before: "9223372036854775807" })).toEqual([]);
    expect(messages({ before: "9223372036854775808" })).toEqual(["Bad page cursor."]);
    expect(messages({ before: "9999999999999999999" })).toEqual(["Bad page cursor."]);
    expect(messages({ actor: "Dana\u202E" })[0]).toMatch(
      /^The actor name contains control or invisible characters/,
    );
    expect(AuditSearchSchema.parse({ actor: "  " }).actor).toBeUndefined();
  });

  it("refuses an actor search under 3 characters (the trigram index needs 3), saying so", () => {
    const tooShort = ["Lu", " Lu ", "é", "ab"];
    for (const actor of tooShort)
      expect(messages({ actor })).toEqual([
        "Search for at least 3 characters of the actor's name.",
      ]);
    expect(messages({ actor: "Luc" })).toEqual([]);
    expect(messages({ actor: "李小龙" })).toEqual([]);
  });

  it("explains a malformed cursor instead of failing on it, and takes one cursor at a time", () => {
    for (const value of ["x", "-1", "1.5", "", "１２"]) {
      expect(messages({ before: value }), value).toEqual(["Bad page cursor."]);
      expect(messages({ after: value }), value).toEqual(["Bad page cursor."]);
    }
    expect(messages({ after: "9223372036854775807" })).toEqual([]);
    expect(messages({ before: "10", after: "20" })).toEqual(["Bad page cursor."]);
    expect(messages({ reads: "everything" })).toEqual(["Unknown view of reads."]);
  });

  it("hides the reads of the trail unless they are shown or an action is picked", () => {
    expect(hidesReads(AuditSearchSchema.parse({}))).toBe(true);
    expect(hidesReads(AuditSearchSchema.parse({ outcome: "REFUSED", before: "9" }))).toBe(true);
    expect(hidesReads(AuditSearchSchema.parse({ reads: "shown" }))).toBe(false);
    expect(hidesReads(AuditSearchSchema.parse({ action: "audit.viewed" }))).toBe(false);
    expect(hidesReads(AuditSearchSchema.parse({ action: "passkey.revoked" }))).toBe(false);
  });
});
