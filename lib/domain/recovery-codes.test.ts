import { describe, expect, it } from "vitest";
import { eventsForAudit, SSF_EVENT_TYPES } from "./ssf/events";
import {
  afterWrongCode,
  codesAllowedFor,
  decideCodeGeneration,
  decideCodeRecovery,
  formatRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_BITS,
  TIER_REFUSES_CODES,
} from "./recovery-codes";
import type { CaseFacts } from "./recovery-decisions";
import {
  ACTIVE_POLICY,
  DEFAULT_POLICY,
  POLICY_V2,
  POLICY_V3,
  policyFor,
  RecoveryPolicySchema,
} from "./recovery-policy";
import { RISK_TIERS } from "./workforce";

const CODE = "0123456789ABCDEFGHJKMNPQ";
const now = new Date("2026-11-27T10:00:00Z");

const facts = (overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  status: "OPEN",
  riskTier: "STANDARD",
  reason: "LOST_DEVICE",
  leaver: false,
  steps: [],
  redFlags: [],
  repeatCall: 1,
  onHold: false,
  ...overrides,
});

describe("the shape of a recovery code", () => {
  it("is at least 64 bits (120), in six groups of four", () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(112);
    expect(formatRecoveryCode(CODE)).toBe("0123-4567-89AB-CDEF-GHJK-MNPQ");
  });

  it("forgives case, spaces, dashes and the ambiguous letters, and refuses anything else", () => {
    expect(normalizeRecoveryCode("0123-4567-89ab-cdef-ghjk-mnpq")).toBe(CODE);
    expect(normalizeRecoveryCode(" o123 4567 89AB CDEF GHJK MNPQ ")).toBe(CODE);
    expect(normalizeRecoveryCode("I123-4567-89AB-CDEF-GHJK-MNPQ")).toBe("1123456789ABCDEFGHJKMNPQ");
    expect(normalizeRecoveryCode("0123-4567-89AB-CDEF-GHJK")).toBeNull();
    expect(normalizeRecoveryCode("0123-4567-89AB-CDEF-GHJK-MNPU")).toBeNull();
    expect(normalizeRecoveryCode("")).toBeNull();
  });
});

describe("policy version 3", () => {
  it("allows codes for standard and contractor staff only, and is the active policy", () => {
    expect(ACTIVE_POLICY).toBe(POLICY_V3);
    expect(policyFor(3)).toBe(POLICY_V3);
    expect(RISK_TIERS.filter((tier) => codesAllowedFor(POLICY_V3, tier))).toEqual([
      "STANDARD",
      "CONTRACTOR",
    ]);
    expect(POLICY_V3.recoveryCodes).toMatchObject({ setSize: 10, maxFailedAttempts: 100 });
  });

  it("keeps versions 1 and 2 unchanged: cases opened under them never use codes", () => {
    expect(policyFor(1)).toBe(DEFAULT_POLICY);
    expect(policyFor(2)).toBe(POLICY_V2);
    for (const tier of RISK_TIERS) {
      expect(codesAllowedFor(DEFAULT_POLICY, tier)).toBe(false);
      expect(codesAllowedFor(POLICY_V2, tier)).toBe(false);
    }
  });

  it("refuses a policy that lets a tier needing a second person use codes", () => {
    const tiers = { ...POLICY_V3.recoveryCodes!.tiers, PRIVILEGED: { allowed: true } };
    const parsed = RecoveryPolicySchema.safeParse({
      ...POLICY_V3,
      recoveryCodes: { ...POLICY_V3.recoveryCodes, tiers },
    });
    expect(parsed.success).toBe(false);
  });

  it("refuses a set size or failure cap out of bounds (NIST: at most 100 failures)", () => {
    for (const bad of [{ maxFailedAttempts: 101 }, { setSize: 2 }, { setSize: 50 }])
      expect(
        RecoveryPolicySchema.safeParse({
          ...POLICY_V3,
          recoveryCodes: { ...POLICY_V3.recoveryCodes, ...bad },
        }).success,
      ).toBe(false);
  });
});

describe("making a set", () => {
  const fresh = {
    method: "passkey",
    tier: "STANDARD" as const,
    verifiedAt: new Date(now.getTime() - 60_000),
    onHold: false,
    leaver: false,
    verifiedAddresses: 1,
  };

  it("needs a passkey session, freshly verified, of a tier allowed codes", () => {
    expect(decideCodeGeneration(POLICY_V3, fresh, now)).toEqual({ ok: true });
    expect(decideCodeGeneration(POLICY_V3, { ...fresh, method: "tap" }, now)).toMatchObject({
      ok: false,
      code: "UNAUTHENTICATED",
    });
    expect(decideCodeGeneration(POLICY_V3, { ...fresh, tier: "HIGH_RISK" }, now)).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: TIER_REFUSES_CODES,
    });
    expect(
      decideCodeGeneration(
        POLICY_V3,
        { ...fresh, verifiedAt: new Date(now.getTime() - 3600_000) },
        now,
      ),
    ).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    expect(decideCodeGeneration(POLICY_V3, { ...fresh, onHold: true }, now)).toMatchObject({
      ok: false,
      code: "ON_HOLD",
    });
    expect(decideCodeGeneration(POLICY_V3, { ...fresh, leaver: true }, now)).toMatchObject({
      ok: false,
      code: "LEAVER",
    });
  });
});

describe("a recovery with a code", () => {
  const decide = (overrides: Partial<CaseFacts> = {}, tierNow = overrides.riskTier ?? "STANDARD") =>
    decideCodeRecovery({ policy: POLICY_V3, facts: facts(overrides), tierNow });

  it("goes ahead for a standard or contractor person with nothing against them", () => {
    expect(decide()).toEqual({ ok: true });
    expect(decide({ riskTier: "CONTRACTOR" })).toEqual({ ok: true });
  });

  it("is refused in the desk's words: leaver, stop, hold, failed elsewhere", () => {
    expect(decide({ leaver: true })).toMatchObject({ ok: false, code: "LEAVER" });
    expect(decide({ redFlags: [{ kind: "DETAILS_MISMATCH" }] })).toMatchObject({
      ok: false,
      code: "RED_FLAG",
    });
    expect(decide({ onHold: true })).toMatchObject({ ok: false, code: "ON_HOLD" });
    expect(decide({ failedElsewhere: true })).toMatchObject({ ok: false, code: "STOPPED" });
    expect(decide({ signals: [{ effect: "stop", label: "Shared number" }] })).toMatchObject({
      ok: false,
      code: "STOPPED",
    });
  });

  it("is refused when the tier may not use codes, then or now", () => {
    expect(decide({ riskTier: "HIGH_RISK" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(decide({ riskTier: "FRONTLINE" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(decide({}, "PRIVILEGED")).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: TIER_REFUSES_CODES,
    });
    // A case from before version 3 never allows codes.
    expect(
      decideCodeRecovery({ policy: POLICY_V2, facts: facts(), tierNow: "STANDARD" }),
    ).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });
  });

  it("is refused when a second person is needed: an escalating flag, a repeat call", () => {
    expect(decide({ redFlags: [{ kind: "PRESSURE" }] })).toMatchObject({
      ok: false,
      code: "APPROVAL_REQUIRED",
    });
    expect(decide({ repeatCall: 2 })).toMatchObject({
      ok: false,
      code: "APPROVAL_REQUIRED",
      message: "This recovery needs a supervisor's approval (repeat call (call 2 in 24 hours)).",
    });
  });

  it("registers one passkey only while the case is open and has not set one up", () => {
    const registering = (status: CaseFacts["status"]) =>
      decideCodeRecovery({
        policy: POLICY_V3,
        facts: facts({ status }),
        tierNow: "STANDARD",
        registering: true,
      });
    expect(registering("FACTOR_ISSUED")).toEqual({ ok: true });
    expect(registering("REENROLLED")).toMatchObject({ ok: false, code: "SEQUENCE" });
    expect(registering("CLOSED")).toMatchObject({ ok: false, code: "SEQUENCE" });
  });
});

describe("wrong codes", () => {
  it("void the set at the policy's cap of consecutive failures", () => {
    const rules = POLICY_V3.recoveryCodes!;
    expect(afterWrongCode(rules, 1)).toEqual({ voided: false, attemptsLeft: 99 });
    expect(afterWrongCode(rules, 99)).toEqual({ voided: false, attemptsLeft: 1 });
    expect(afterWrongCode(rules, 100)).toEqual({ voided: true, attemptsLeft: 0 });
  });
});

describe("Shared Signals", () => {
  it("a code used is recovery-activated; a passkey enrolled through it is a credential change only", () => {
    const row = {
      outcome: "ALLOWED" as const,
      actorType: "WORKFORCE_USER",
      subjectUserId: "7d1f3c1e-8f7a-4b8e-9a53-3c3c3c3c3c3c",
      targetType: "case",
      targetId: "x",
      createdAt: now,
    };
    expect(
      eventsForAudit({ ...row, action: "codes.redeemed", data: { codesLeft: 9 } }, new Map()).map(
        (event) => event.type,
      ),
    ).toEqual([SSF_EVENT_TYPES.recoveryActivated]);
    expect(
      eventsForAudit(
        {
          ...row,
          action: "passkey.enrolled",
          data: { via: "code", aaguid: "", backedUp: false, transports: [], model: "x" },
        },
        new Map(),
      ).map((event) => event.type),
    ).toEqual([SSF_EVENT_TYPES.credentialChange]);
    expect(
      eventsForAudit({ ...row, action: "codes.generated", data: { codes: 10 } }, new Map()),
    ).toEqual([]);
  });
});
