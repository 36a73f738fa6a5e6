import { describe, expect, it } from "vitest";
import { decideRevocation, revokeAllStops } from "./revocation";

describe("decideRevocation", () => {
  const active = ["a", "b"];
  it.each([
    [{ scope: "ALL" }, active, { ok: true, passkeyIds: ["a", "b"] }],
    [{ scope: "ALL" }, [], { ok: true, passkeyIds: [] }],
    [{ scope: "ONE", passkeyId: "b" }, active, { ok: true, passkeyIds: ["b"] }],
    [
      { scope: "ONE", passkeyId: "z" },
      active,
      expect.objectContaining({ ok: false, code: "CONFLICT" }),
    ],
  ] as const)("%j of %j", (request, ids, expected) => {
    expect(decideRevocation({ request, activePasskeyIds: ids })).toEqual(expected);
  });
});

describe("revoke-all revokes what its confirmation named (decision 025)", () => {
  it("goes ahead when the named passkeys are exactly the active ones, in any order", () => {
    expect(
      decideRevocation({
        request: { scope: "ALL", confirmedPasskeyIds: ["b", "a"] },
        activePasskeyIds: ["a", "b"],
      }),
    ).toEqual({ ok: true, passkeyIds: ["a", "b"] });
    expect(
      decideRevocation({
        request: { scope: "ALL", confirmedPasskeyIds: [] },
        activePasskeyIds: [],
      }),
    ).toEqual({ ok: true, passkeyIds: [] });
  });

  it.each([
    [["a"], ["a", "b"], "1 passkey was added"],
    [[], ["a"], "1 passkey was added"],
    [["a", "b"], ["a"], "1 passkey you confirmed is no longer active"],
    [["a", "b", "c"], ["d"], "1 passkey was added; 3 passkeys you confirmed are no longer active"],
  ])("confirmed %j, active %j: refused, saying what changed", (confirmed, active, change) => {
    expect(
      decideRevocation({
        request: { scope: "ALL", confirmedPasskeyIds: confirmed },
        activePasskeyIds: active,
      }),
    ).toEqual({
      ok: false,
      code: "CONFLICT",
      message: `Nothing was revoked: the passkeys changed since you confirmed (${change}). Look at the list again and confirm.`,
    });
  });
});

describe("revokeAllStops", () => {
  it("names each kind of thing that stops, with its count", () => {
    expect(
      revokeAllStops({ passes: 1, enrolmentLinks: 2, stepLinks: 1, approvals: 1, sessions: 3 }),
    ).toEqual([
      "1 temporary access pass",
      "2 links to set up a passkey",
      "1 confirmation request (manager or passkey sign-in)",
      "1 re-enrolment request waiting for a supervisor",
      "3 signed-in sessions (signed out)",
    ]);
  });

  it("says nothing when nothing else is open", () => {
    expect(
      revokeAllStops({ passes: 0, enrolmentLinks: 0, stepLinks: 0, approvals: 0, sessions: 0 }),
    ).toEqual([]);
  });
});
