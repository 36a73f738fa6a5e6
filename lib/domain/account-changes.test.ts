import { describe, expect, it } from "vitest";
import {
  decideAccountChange,
  lastPasskeyWarning,
  NicknameSchema,
  recoveryWithoutPasskey,
  RemovePasskeySchema,
  RenamePasskeySchema,
  type AccountChangeFacts,
} from "./account-changes";
import { ACTIVE_POLICY, DEFAULT_POLICY, RecoveryPolicySchema } from "./recovery-policy";
import { RISK_TIERS } from "./workforce";

const policy = ACTIVE_POLICY;
const now = new Date("2026-11-24T10:00:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const facts = (overrides: Partial<AccountChangeFacts>): AccountChangeFacts => ({
  change: "removed",
  method: "passkey",
  leaver: false,
  verifiedAt: ago(1),
  passkey: { active: true },
  activePasskeys: 2,
  confirmedLast: false,
  ...overrides,
});
const decide = (overrides: Partial<AccountChangeFacts>) =>
  decideAccountChange(policy, facts(overrides), now, "LAST WARNING");

describe("changes on /account", () => {
  it("needs a passkey session of a person still employed, for every change", () => {
    for (const change of ["renamed", "removed", "lost", "signed_out"] as const) {
      expect(decide({ change, method: "tap" })).toMatchObject({
        ok: false,
        code: "UNAUTHENTICATED",
      });
      expect(decide({ change, leaver: true })).toMatchObject({ ok: false, code: "LEAVER" });
    }
  });

  it("refuses another person's passkey and one already revoked, naming neither", () => {
    for (const change of ["renamed", "removed", "lost"] as const) {
      expect(decide({ change, passkey: null })).toEqual({
        ok: false,
        code: "NOT_FOUND",
        message: "That passkey is not one of yours.",
      });
      expect(decide({ change, passkey: { active: false } })).toMatchObject({
        ok: false,
        code: "CONFLICT",
      });
    }
  });

  it("needs a fresh verification to remove or report lost, not to rename or sign out everywhere", () => {
    const window = policy.lifetimes.freshVerificationMinutes;
    for (const verifiedAt of [null, ago(window), ago(window + 10)]) {
      for (const change of ["removed", "lost"] as const) {
        const refusal = decide({ change, verifiedAt });
        expect(refusal).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
        expect(!refusal.ok && refusal.message).toMatch(/Confirm it's you first/);
      }
      expect(decide({ change: "renamed", verifiedAt })).toEqual({ ok: true });
      expect(decide({ change: "signed_out", verifiedAt })).toEqual({ ok: true });
    }
    expect(decide({ change: "lost", verifiedAt: ago(window - 0.5) })).toEqual({ ok: true });
  });

  it("refuses to remove or report lost the last active passkey without the confirmation, with the warning", () => {
    for (const change of ["removed", "lost"] as const) {
      expect(decide({ change, activePasskeys: 1 })).toEqual({
        ok: false,
        code: "CONFLICT",
        message: "LAST WARNING",
      });
      expect(decide({ change, activePasskeys: 1, confirmedLast: true })).toEqual({ ok: true });
      expect(decide({ change, activePasskeys: 2 })).toEqual({ ok: true });
    }
    // Renaming the last passkey takes nothing away.
    expect(decide({ change: "renamed", activePasskeys: 1 })).toEqual({ ok: true });
  });
});

describe("the last-passkey warning", () => {
  it("says what recovery takes for each tier, from the policy's scripts and approval tiers", () => {
    expect(recoveryWithoutPasskey(DEFAULT_POLICY, "STANDARD")).toEqual([
      "Call back on the phone of record",
      "Employee record details",
      "one of: manager confirms or photo ID on video",
    ]);
    expect(recoveryWithoutPasskey(DEFAULT_POLICY, "PRIVILEGED")).toEqual([
      "Call back on the phone of record",
      "Manager confirms",
      "Photo ID on video",
      "Employee record details",
      "A supervisor who took no part in the call approves the new passkey",
    ]);
    expect(recoveryWithoutPasskey(DEFAULT_POLICY, "CONTRACTOR")).toContain("Sponsor confirms");
    expect(recoveryWithoutPasskey(DEFAULT_POLICY, "FRONTLINE")).toEqual([
      "Shift lead confirms",
      "Employee record details",
      "one of: call back on the phone of record or photo ID on video",
    ]);
    for (const tier of RISK_TIERS) {
      const words = lastPasskeyWarning(policy, tier);
      expect(words).toMatch(/^This is your last passkey\./);
      // Never promises the sign-in with a remaining passkey: there would be none.
      expect(words).not.toMatch(/remaining passkey/);
      expect(words.includes("supervisor")).toBe(policy.approval.tiers.includes(tier));
    }
  });

  it("follows the policy: a tier added to the approval tiers gets the supervisor line", () => {
    const stricter = RecoveryPolicySchema.parse({
      ...DEFAULT_POLICY,
      approval: { ...DEFAULT_POLICY.approval, tiers: ["HIGH_RISK", "PRIVILEGED", "CONTRACTOR"] },
    });
    expect(lastPasskeyWarning(stricter, "CONTRACTOR")).toMatch(/supervisor/);
    expect(lastPasskeyWarning(DEFAULT_POLICY, "CONTRACTOR")).not.toMatch(/supervisor/);
  });
});

describe("the forms", () => {
  const id = "7d9f2b7e-3a53-4f3c-9d39-2f6f8c1e4b10";
  it("trims a name, allows clearing it, and refuses control characters and long names", () => {
    expect(NicknameSchema.parse("  Work laptop ")).toBe("Work laptop");
    expect(NicknameSchema.parse("   ")).toBe("");
    expect(NicknameSchema.safeParse("Work\u202Elaptop").success).toBe(false);
    expect(NicknameSchema.safeParse("a\nb").success).toBe(false);
    expect(NicknameSchema.safeParse("x".repeat(61)).success).toBe(false);
    expect(RenamePasskeySchema.safeParse({ passkeyId: "nope", nickname: "a" }).success).toBe(false);
  });

  it("reads the last-passkey checkbox only when ticked", () => {
    expect(RemovePasskeySchema.parse({ passkeyId: id }).confirmLast).toBe(false);
    expect(RemovePasskeySchema.parse({ passkeyId: id, confirmLast: "on" }).confirmLast).toBe(true);
    expect(RemovePasskeySchema.safeParse({ passkeyId: id, confirmLast: "yes" }).success).toBe(
      false,
    );
  });
});
