import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  approvalNeed,
  canonicalJson,
  decideApproval,
  decideReenrolmentRequest,
  approvalLapsed,
  lapsedMessage,
  reenrolmentSnapshot,
} from "./approval";
import type { CaseFacts } from "./recovery-decisions";
import { DEFAULT_POLICY } from "./recovery-policy";

const facts = (overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  status: "VERIFIED",
  riskTier: "STANDARD",
  reason: "LOST_DEVICE",
  leaver: false,
  steps: [],
  redFlags: [],
  repeatCall: 1,
  onHold: false,
  ...overrides,
});

describe("canonicalJson", () => {
  it("is the same text for the same content in any key order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
        expect(JSON.parse(canonicalJson(object))).toEqual(JSON.parse(JSON.stringify(object)));
      }),
    );
  });

  it("differs when any value differs", () => {
    expect(canonicalJson({ a: 1, b: [1, 2] })).not.toBe(canonicalJson({ a: 1, b: [2, 1] }));
  });
});

describe("reenrolmentSnapshot", () => {
  it("does not depend on the order the lists were read in", () => {
    const base = {
      caseId: "c",
      userId: "u",
      riskTier: "HIGH_RISK",
      employment: "ACTIVE",
      phoneOfRecord: "+1 555",
      managerId: "m",
      policyVersion: 1,
      repeatCall: 1,
      redFlags: [],
    };
    const id = { kind: "ID_DOCUMENT", outcome: "PASSED", note: "passport 1234", evidence: null };
    const callback = {
      kind: "CALLBACK",
      outcome: "PASSED",
      note: "",
      evidence: { calledNumber: "phone of record" },
    };
    const a = reenrolmentSnapshot({
      ...base,
      revokePasskeyIds: ["p2", "p1"],
      contact: ["b@x", "a@x"],
      checklist: [id, callback],
    });
    const b = reenrolmentSnapshot({
      ...base,
      revokePasskeyIds: ["p1", "p2"],
      contact: ["a@x", "b@x"],
      checklist: [callback, id],
    });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
});

describe("approvalNeed", () => {
  it.each([
    [facts(), null],
    [facts({ riskTier: "HIGH_RISK" }), "high-risk tier"],
    [facts({ riskTier: "PRIVILEGED" }), "privileged tier"],
    [facts({ redFlags: [{ kind: "PRESSURE" }] }), "a red flag was raised"],
    [facts({ repeatCall: 2 }), "repeat call (call 2 in 24 hours)"],
    [facts({ repeatCall: 3 }), "repeat call (call 3 in 24 hours)"],
  ] as const)("%j → %s", (f, reason) => {
    expect(approvalNeed(DEFAULT_POLICY, f)).toBe(reason);
  });

  it("follows the policy's reasons", () => {
    const policy = {
      ...DEFAULT_POLICY,
      approval: { ...DEFAULT_POLICY.approval, reasons: ["STOLEN_DEVICE" as const] },
    };
    expect(approvalNeed(policy, facts({ reason: "STOLEN_DEVICE" }))).toBe("stolen device");
    expect(approvalNeed(policy, facts({ reason: "LOST_DEVICE" }))).toBeNull();
  });
});

describe("decideReenrolmentRequest", () => {
  const ok = {
    policy: DEFAULT_POLICY,
    facts: facts(),
    revokePasskeyIds: ["p1"],
    activePasskeyIds: ["p1", "p2"],
    hasVerifiedAddress: true,
  };
  it.each([
    ["a verified case", ok, { ok: true }],
    [
      "an open case",
      { ...ok, facts: facts({ status: "OPEN" }) },
      expect.objectContaining({ code: "SEQUENCE" }),
    ],
    [
      "a case already waiting",
      { ...ok, facts: facts({ status: "PENDING_APPROVAL" }) },
      expect.objectContaining({ code: "SEQUENCE" }),
    ],
    [
      "a case that issued a pass",
      { ...ok, facts: facts({ status: "FACTOR_ISSUED" }) },
      expect.objectContaining({ code: "SEQUENCE" }),
    ],
    [
      "a leaver",
      { ...ok, facts: facts({ leaver: true }) },
      expect.objectContaining({ code: "LEAVER" }),
    ],
    [
      "a stopped case",
      { ...ok, facts: facts({ redFlags: [{ kind: "DETAILS_MISMATCH" }] }) },
      expect.objectContaining({ code: "RED_FLAG" }),
    ],
    [
      "someone else's passkey",
      { ...ok, revokePasskeyIds: ["zz"] },
      expect.objectContaining({ code: "INVALID_INPUT" }),
    ],
    [
      "no verified address",
      { ...ok, hasVerifiedAddress: false },
      expect.objectContaining({ code: "CONFLICT" }),
    ],
  ])("%s", (_label, input, expected) => {
    expect(decideReenrolmentRequest(input)).toEqual(expected);
  });
});

describe("decideApproval", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const base = {
    approver: { id: "sup", role: "SUPERVISOR" as const },
    requestedById: "agent",
    verifiedByIds: ["agent"],
    status: "PENDING",
    expiresAt: new Date("2026-11-22T12:10:00Z"),
    now,
  };
  it.each([
    ["another supervisor", base, { ok: true }],
    ["an agent", { ...base, approver: { id: "x", role: "AGENT" as const } }, "FORBIDDEN"],
    [
      "a security reviewer",
      { ...base, approver: { id: "x", role: "SECURITY" as const } },
      "FORBIDDEN",
    ],
    [
      "the requester",
      { ...base, approver: { id: "agent", role: "SUPERVISOR" as const } },
      "FORBIDDEN",
    ],
    ["a supervisor who verified", { ...base, verifiedByIds: ["agent", "sup"] }, "FORBIDDEN"],
    ["a decided request", { ...base, status: "APPROVED" }, "SEQUENCE"],
    ["an expired request", { ...base, expiresAt: new Date("2026-11-22T11:59:59Z") }, "SEQUENCE"],
    ["a request that expires this very instant", { ...base, expiresAt: now }, "SEQUENCE"],
    ["a request the sweep marked lapsed", { ...base, status: "EXPIRED" }, "SEQUENCE"],
  ] as const)("%s", (_label, input, expected) => {
    const result = decideApproval(input);
    expect(result).toEqual(
      typeof expected === "string"
        ? expect.objectContaining({ ok: false, code: expected })
        : expected,
    );
  });

  it("tells a late supervisor the request lapsed, and when, rather than that it was decided", () => {
    const lapsedAt = new Date("2026-11-22T11:45:00Z");
    for (const input of [
      { ...base, expiresAt: lapsedAt },
      { ...base, expiresAt: lapsedAt, status: "EXPIRED" },
    ]) {
      expect(decideApproval(input)).toEqual({
        ok: false,
        code: "SEQUENCE",
        message:
          "This request lapsed unanswered at 2026-11-22 11:45 UTC: nothing was approved or denied. The agent can ask again from the case.",
      });
    }
    expect(decideApproval({ ...base, status: "USED" })).toMatchObject({
      message: "This request was already decided.",
    });
    expect(lapsedMessage(null)).toBe(
      "This request lapsed unanswered: nothing was approved or denied. The agent can ask again from the case.",
    );
  });

  it("still refuses the requester first, lapsed or not (who they are matters more than when)", () => {
    expect(
      decideApproval({
        ...base,
        status: "EXPIRED",
        approver: { id: "agent", role: "SUPERVISOR" },
      }),
    ).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("approvalLapsed", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const at = (ms: number) => new Date(now.getTime() + ms);
  it.each([
    ["no expiry", null, false],
    ["a second left", at(1000), false],
    ["the very instant", at(0), true],
    ["a millisecond past", at(-1), true],
  ] as const)("%s", (_label, expiresAt, expected) => {
    expect(approvalLapsed(expiresAt, now)).toBe(expected);
  });

  it("lapses exactly when decideApproval starts refusing", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (offset) => {
        const expiresAt = at(offset);
        const refused = !decideApproval({
          approver: { id: "sup", role: "SUPERVISOR" },
          requestedById: "agent",
          verifiedByIds: [],
          status: "PENDING",
          expiresAt,
          now,
        }).ok;
        expect(approvalLapsed(expiresAt, now)).toBe(refused);
      }),
    );
  });
});
