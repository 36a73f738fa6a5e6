import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, RecoveryPolicySchema } from "./recovery-policy";
import { decideSelfServiceEnrolment, freshUntil, isFreshlyVerified } from "./self-service";

const policy = DEFAULT_POLICY;
const now = new Date("2026-11-24T10:00:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const fresh = { verifiedAt: ago(1), onHold: false, leaver: false, verifiedAddresses: 1 };

describe("adding a passkey while signed in", () => {
  it("is allowed within the policy's window after a user-verified assertion, and not after", () => {
    const window = policy.lifetimes.freshVerificationMinutes;
    expect(window).toBe(5);
    expect(decideSelfServiceEnrolment(policy, fresh, now)).toEqual({ ok: true });
    expect(
      decideSelfServiceEnrolment(policy, { ...fresh, verifiedAt: ago(window - 0.1) }, now),
    ).toEqual({ ok: true });
    for (const verifiedAt of [ago(window), ago(window + 1), null]) {
      const refusal = decideSelfServiceEnrolment(policy, { ...fresh, verifiedAt }, now);
      expect(refusal).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
      expect(!refusal.ok && refusal.message).toMatch(/Confirm it's you first/);
    }
    expect(freshUntil(policy, ago(1))).toEqual(new Date(now.getTime() + (window - 1) * 60_000));
  });

  it("does not count a verification dated in the future", () => {
    expect(isFreshlyVerified(policy, new Date(now.getTime() + 60_000), now)).toBe(false);
  });

  it("is refused while the person is on hold or has left, however fresh the verification", () => {
    expect(decideSelfServiceEnrolment(policy, { ...fresh, onHold: true }, now)).toMatchObject({
      ok: false,
      code: "ON_HOLD",
    });
    expect(decideSelfServiceEnrolment(policy, { ...fresh, leaver: true }, now)).toMatchObject({
      ok: false,
      code: "LEAVER",
    });
  });

  it("is refused when no verified address could be told of it (never a silent addition)", () => {
    expect(
      decideSelfServiceEnrolment(policy, { ...fresh, verifiedAddresses: 0 }, now),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/no verified email address/) });
  });

  it("keeps the window between 1 and 15 minutes in any policy", () => {
    const withWindow = (freshVerificationMinutes: number) =>
      RecoveryPolicySchema.safeParse({
        ...policy,
        lifetimes: { ...policy.lifetimes, freshVerificationMinutes },
      }).success;
    expect(withWindow(1)).toBe(true);
    expect(withWindow(15)).toBe(true);
    expect(withWindow(0)).toBe(false);
    expect(withWindow(16)).toBe(false);
    expect(withWindow(2.5)).toBe(false);
  });
});
