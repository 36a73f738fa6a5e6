import { describe, expect, it } from "vitest";
import { decideRevocation } from "./revocation";

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
