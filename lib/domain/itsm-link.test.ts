import { describe, expect, it } from "vitest";
import { parseItsmLink } from "./itsm-link";
import { prefilledTicket } from "./ticket-reference";

describe("an ITSM's link into the console", () => {
  it("takes an employee ID and a ticket, normalised", () => {
    expect(parseItsmLink({ ticket: " inc0012345 ", employee: "E1042" })).toEqual({
      ok: true,
      value: { ticket: "INC0012345", employee: "E1042" },
    });
    expect(parseItsmLink({ ticket: ["hd-12", "x"], employee: ["E1"] })).toEqual({
      ok: true,
      value: { ticket: "HD-12", employee: "E1" },
    });
  });

  it("says what is missing or wrong", () => {
    expect(parseItsmLink({})).toEqual({
      ok: false,
      problems: [
        "The link names no employee (employee=…).",
        "The link carries no ticket (ticket=…).",
      ],
    });
    const bad = parseItsmLink({ ticket: "not a ticket!", employee: "E1" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]).toMatch(/^That is not a ticket reference/);
  });

  it("prefills only a real ticket reference", () => {
    expect(prefilledTicket("inc0012345")).toBe("INC0012345");
    expect(prefilledTicket(["12345"])).toBe("#12345");
    expect(prefilledTicket("<script>")).toBe("");
    expect(prefilledTicket(undefined)).toBe("");
  });
});
