import { describe, expect, it } from "vitest";
import {
  decideKeyCredential,
  decideKeyIssue,
  decideKeyMove,
  dueForReturn,
  normalizeAaguid,
  normalizeSerial,
  SECURITY_KEY_STATUSES,
} from "./security-keys";

const idChecked = [
  { kind: "MANAGER_CONFIRMATION", outcome: "PASSED" },
  { kind: "ID_DOCUMENT", outcome: "PASSED" },
];

describe("decideKeyMove", () => {
  it.each([
    ["IN_STOCK", "issue", true],
    ["RETURNED", "issue", true],
    ["ISSUED", "issue", false],
    ["LOST", "issue", false],
    ["RETIRED", "issue", false],
    ["ISSUED", "return", true],
    ["IN_STOCK", "return", false],
    ["ISSUED", "lose", true],
    ["IN_STOCK", "lose", true],
    ["LOST", "lose", false],
    ["IN_STOCK", "retire", true],
    ["ISSUED", "retire", false],
  ] as const)("%s → %s: %s", (status, move, ok) => {
    expect(decideKeyMove(status, move).ok).toBe(ok);
  });

  it("says what the key is when it refuses", () => {
    expect(decideKeyMove("LOST", "issue")).toEqual({
      ok: false,
      code: "SEQUENCE",
      message: "This key is lost: it cannot be issued.",
    });
  });
});

describe("decideKeyIssue: a key is issued only to someone at the desk whose ID was checked", () => {
  it("allows a walk-in case with a passed ID document check and a key in stock", () => {
    expect(decideKeyIssue({ channel: "WALK_IN", steps: idChecked, keyStatus: "IN_STOCK" })).toEqual(
      { ok: true },
    );
  });

  it.each(["PHONE", "VIDEO", "CHAT"])("refuses a %s case", (channel) => {
    expect(decideKeyIssue({ channel, steps: idChecked, keyStatus: "IN_STOCK" })).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });
  });

  it.each(["PENDING", "FAILED", "UNABLE"])("refuses when the ID check is %s", (outcome) => {
    expect(
      decideKeyIssue({
        channel: "WALK_IN",
        steps: [{ kind: "ID_DOCUMENT", outcome }],
        keyStatus: "IN_STOCK",
      }),
    ).toMatchObject({ ok: false, code: "VERIFICATION_INCOMPLETE" });
  });

  it("refuses a key that is not in stock", () => {
    for (const status of SECURITY_KEY_STATUSES.filter((s) => s !== "IN_STOCK" && s !== "RETURNED"))
      expect(
        decideKeyIssue({ channel: "WALK_IN", steps: idChecked, keyStatus: status }),
      ).toMatchObject({ ok: false, code: "SEQUENCE" });
  });
});

describe("the credential must come from the key on record", () => {
  it("matches AAGUIDs in any case or hyphenation", () => {
    expect(
      decideKeyCredential({
        keyAaguid: "CB69481E-8FF7-4039-93EC-0A2729A154A8",
        credentialAaguid: "cb69481e8ff7403993ec0a2729a154a8",
      }).ok,
    ).toBe(true);
  });

  it("refuses another model", () => {
    expect(
      decideKeyCredential({
        keyAaguid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
        credentialAaguid: "ee882879-721c-4913-9775-3dfcce97072a",
      }),
    ).toMatchObject({ ok: false, code: "INVALID_INPUT" });
  });
});

describe("normalising what staff type", () => {
  it("normalises an AAGUID or refuses a non-AAGUID", () => {
    expect(normalizeAaguid(" CB69481E8FF7403993EC0A2729A154A8 ")).toBe(
      "cb69481e-8ff7-4039-93ec-0a2729a154a8",
    );
    expect(normalizeAaguid("not-an-aaguid")).toBeNull();
  });

  it("upper-cases serials and refuses odd ones", () => {
    expect(normalizeSerial(" yk-1234567 ")).toBe("YK-1234567");
    expect(normalizeSerial("a")).toBeNull();
    expect(normalizeSerial("YK 12 34")).toBeNull();
  });
});

describe("dueForReturn", () => {
  it("is an issued key whose holder left or is suspended", () => {
    expect(dueForReturn({ status: "ISSUED" }, true)).toBe(true);
    expect(dueForReturn({ status: "ISSUED" }, false)).toBe(false);
    expect(dueForReturn({ status: "RETURNED" }, true)).toBe(false);
  });
});
