import { describe, expect, it } from "vitest";
import {
  assuranceFromClaims,
  configList,
  isPhishingResistant,
  isStepUpFresh,
  mayManageStaffPasskeys,
  verifiedAtFromSignIn,
} from "./step-up";

const t0 = new Date("2026-11-24T09:00:00Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const FIVE = 5 * 60_000;
const DEFAULT_POLICY = { acr: configList("phr phrh"), amr: configList(undefined) };

describe("isStepUpFresh", () => {
  it("is fresh within the window and stale after it, or without any verification", () => {
    expect(isStepUpFresh(t0, at(0), FIVE)).toBe(true);
    expect(isStepUpFresh(t0, at(5), FIVE)).toBe(true);
    expect(isStepUpFresh(t0, at(5.01), FIVE)).toBe(false);
    expect(isStepUpFresh(null, at(0), FIVE)).toBe(false);
  });

  it("tolerates a minute of clock skew, not a verification far in the future", () => {
    expect(isStepUpFresh(at(0.5), at(0), FIVE)).toBe(true);
    expect(isStepUpFresh(at(10), at(0), FIVE)).toBe(false);
  });
});

describe("assuranceFromClaims", () => {
  it("keeps amr strings, acr and auth_time, bounded", () => {
    expect(
      assuranceFromClaims({
        amr: ["hwk", "user", 3, "hwk", "x".repeat(300)],
        acr: "phr",
        auth_time: t0.getTime() / 1000,
      }),
    ).toEqual({ amr: ["hwk", "user"], acr: "phr", authTime: t0 });
  });

  it("treats missing or odd claims as nothing", () => {
    expect(assuranceFromClaims({ amr: "hwk", acr: 1, auth_time: "yesterday" })).toEqual({
      amr: [],
      acr: null,
      authTime: null,
    });
  });
});

describe("phishing-resistant SSO", () => {
  it("counts only the configured acr values by default, never amr alone", () => {
    expect(isPhishingResistant({ acr: "phr", amr: [] }, DEFAULT_POLICY)).toBe(true);
    expect(isPhishingResistant({ acr: "phrh", amr: [] }, DEFAULT_POLICY)).toBe(true);
    expect(isPhishingResistant({ acr: "1", amr: ["hwk", "fido", "mfa"] }, DEFAULT_POLICY)).toBe(
      false,
    );
    expect(isPhishingResistant({ acr: null, amr: [] }, DEFAULT_POLICY)).toBe(false);
  });

  it("counts amr values a deployment opts into", () => {
    expect(isPhishingResistant({ acr: null, amr: ["hwk"] }, { acr: [], amr: ["hwk"] })).toBe(true);
  });

  it("dates the verification at auth_time, never after the sign-in", () => {
    const claims = { amr: ["hwk"], acr: "phr" };
    expect(verifiedAtFromSignIn({ ...claims, authTime: at(-2) }, DEFAULT_POLICY, t0)).toEqual(
      at(-2),
    );
    expect(verifiedAtFromSignIn({ ...claims, authTime: at(3) }, DEFAULT_POLICY, t0)).toEqual(t0);
    expect(verifiedAtFromSignIn({ ...claims, authTime: null }, DEFAULT_POLICY, t0)).toEqual(t0);
    expect(
      verifiedAtFromSignIn({ amr: ["pwd"], acr: "1", authTime: t0 }, DEFAULT_POLICY, t0),
    ).toBeNull();
  });
});

describe("mayManageStaffPasskeys", () => {
  const base = { verifiedAt: null, sessionStartedAt: t0, windowMs: FIVE, everHadPasskey: false };

  it("lets a fresh sign-in add the first passkey, and nothing later", () => {
    expect(mayManageStaffPasskeys({ ...base, act: "add", activePasskeys: 0, now: at(4) })).toEqual({
      ok: true,
      via: "fresh sign-in",
    });
    expect(mayManageStaffPasskeys({ ...base, act: "add", activePasskeys: 0, now: at(6) })).toEqual({
      ok: false,
    });
  });

  it("never lets a fresh sign-in put a passkey in place of a removed one (a stolen session's swap)", () => {
    expect(
      mayManageStaffPasskeys({
        ...base,
        everHadPasskey: true,
        act: "add",
        activePasskeys: 0,
        now: at(1),
      }),
    ).toEqual({ ok: false });
  });

  it("needs a fresh step-up to add a passkey next to an existing one, even right after sign-in", () => {
    expect(mayManageStaffPasskeys({ ...base, act: "add", activePasskeys: 1, now: at(1) })).toEqual({
      ok: false,
    });
    expect(
      mayManageStaffPasskeys({
        ...base,
        verifiedAt: at(10),
        act: "add",
        activePasskeys: 1,
        now: at(12),
      }),
    ).toEqual({ ok: true, via: "step-up" });
  });

  it("lets a fresh sign-in remove a lost passkey; an old session cannot", () => {
    expect(
      mayManageStaffPasskeys({ ...base, act: "remove", activePasskeys: 1, now: at(2) }),
    ).toEqual({ ok: true, via: "fresh sign-in" });
    expect(
      mayManageStaffPasskeys({ ...base, act: "remove", activePasskeys: 1, now: at(30) }),
    ).toEqual({ ok: false });
  });
});
