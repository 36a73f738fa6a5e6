import { describe, expect, it } from "vitest";
import { breakGlassSignInKind, decideBreakGlassVote, quorumMissing } from "./break-glass";

const now = new Date("2026-11-24T12:00:00Z");

describe("breakGlassSignInKind", () => {
  it("is a test only inside a declared test window", () => {
    expect(breakGlassSignInKind(new Date("2026-11-24T12:30:00Z"), now)).toBe("test");
    expect(breakGlassSignInKind(new Date("2026-11-24T12:00:00Z"), now)).toBe("incident");
    expect(breakGlassSignInKind(null, now)).toBe("incident");
  });
});

describe("break-glass recovery: two distinct supervisors and a security reviewer", () => {
  const base = { requestedById: "agent", workedByIds: ["agent"] };

  it("counts distinct people by role", () => {
    expect(quorumMissing([])).toEqual(["2 more supervisors", "1 more security reviewer"]);
    expect(
      quorumMissing([
        { deciderId: "s1", role: "SUPERVISOR" },
        { deciderId: "s1", role: "SUPERVISOR" },
      ]),
    ).toEqual(["1 more supervisor", "1 more security reviewer"]);
    expect(
      quorumMissing([
        { deciderId: "s1", role: "SUPERVISOR" },
        { deciderId: "s2", role: "SUPERVISOR" },
        { deciderId: "r1", role: "SECURITY" },
      ]),
    ).toEqual([]);
  });

  it("lets the third distinct approver complete it", () => {
    const votes = [
      { deciderId: "s1", role: "SUPERVISOR" as const },
      { deciderId: "r1", role: "SECURITY" as const },
    ];
    expect(
      decideBreakGlassVote({ ...base, approver: { id: "s2", role: "SUPERVISOR" }, votes }),
    ).toEqual({ ok: true, completes: true });
    expect(
      decideBreakGlassVote({ ...base, approver: { id: "s2", role: "SUPERVISOR" }, votes: [] }),
    ).toEqual({ ok: true, completes: false });
  });

  it("refuses the same person twice, an agent, anyone who worked the case, and a full role", () => {
    const one = [{ deciderId: "s1", role: "SUPERVISOR" as const }];
    expect(
      decideBreakGlassVote({ ...base, approver: { id: "s1", role: "SUPERVISOR" }, votes: one }),
    ).toMatchObject({ ok: false, code: "CONFLICT" });
    expect(
      decideBreakGlassVote({ ...base, approver: { id: "a2", role: "AGENT" }, votes: [] }),
    ).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(
      decideBreakGlassVote({
        ...base,
        workedByIds: ["agent", "s9"],
        approver: { id: "s9", role: "SUPERVISOR" },
        votes: [],
      }),
    ).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(
      decideBreakGlassVote({
        ...base,
        approver: { id: "r2", role: "SECURITY" },
        votes: [{ deciderId: "r1", role: "SECURITY" }],
      }),
    ).toMatchObject({ ok: false, code: "CONFLICT" });
  });
});
