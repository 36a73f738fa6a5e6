import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  minutesToExhaust,
  passTryGate,
  RATE_LIMIT_DEFAULTS,
  rateLimitedMessage,
  rateLimits,
  waitWords,
} from "./rate-limits";
import { DEFAULT_POLICY, RecoveryPolicySchema } from "./recovery-policy";

describe("rateLimits", () => {
  it("are the defaults without overrides", () => {
    expect(rateLimits(undefined)).toEqual(RATE_LIMIT_DEFAULTS);
    expect(rateLimits("")).toEqual(RATE_LIMIT_DEFAULTS);
  });

  it("applies overrides by name", () => {
    const limits = rateLimits("signIn.client=200/600, redeem.client=5/60");
    expect(limits["signIn.client"]).toEqual({ tries: 200, windowSeconds: 600 });
    expect(limits["redeem.client"]).toEqual({ tries: 5, windowSeconds: 60 });
    expect(limits["link.client"]).toEqual(RATE_LIMIT_DEFAULTS["link.client"]);
  });

  it.each(["nonsense", "redeem.client=5", "nope.client=5/60", "redeem.client=0/60"])(
    "refuses a malformed override (%s)",
    (value) => expect(() => rateLimits(value)).toThrow(),
  );

  it("keeps one client's budget for one account below a pass's failure cap", () => {
    expect(RATE_LIMIT_DEFAULTS["redeem.clientAccount"].tries).toBeLessThan(
      DEFAULT_POLICY.tap.maxFailedAttempts,
    );
  });
});

describe("waitWords", () => {
  it("rounds up, in seconds below a minute and minutes above", () => {
    expect(waitWords(0.2)).toBe("1 second");
    expect(waitWords(45)).toBe("45 seconds");
    expect(waitWords(61)).toBe("2 minutes");
    expect(rateLimitedMessage(300)).toBe("Too many tries. Wait 5 minutes, then try again.");
  });
});

describe("passTryGate (the back-off on one pass)", () => {
  const tap = DEFAULT_POLICY.tap;
  const at = new Date("2026-11-23T10:00:00Z");
  const minutes = (m: number) => new Date(at.getTime() + m * 60_000);

  it("lets the free tries through, then waits first 5 minutes, doubling", () => {
    expect(passTryGate({ failedAttempts: 2, lastFailedAt: at }, tap, at)).toEqual({ ok: true });
    expect(passTryGate({ failedAttempts: 3, lastFailedAt: at }, tap, minutes(4))).toEqual({
      ok: false,
      retryAt: minutes(5),
    });
    expect(passTryGate({ failedAttempts: 3, lastFailedAt: at }, tap, minutes(5))).toEqual({
      ok: true,
    });
    expect(passTryGate({ failedAttempts: 4, lastFailedAt: at }, tap, minutes(9))).toEqual({
      ok: false,
      retryAt: minutes(10),
    });
  });

  it("under the default policy, guessing as fast as allowed cannot void a pass within the longest lifetime", () => {
    // The attacker's best schedule: every try the moment the gate opens.
    let failed = 0;
    let last: Date | null = null;
    let now = at;
    const end = minutes(tap.maxLifetimeMinutes);
    while (now < end && failed < tap.maxFailedAttempts) {
      const gate = passTryGate({ failedAttempts: failed, lastFailedAt: last }, tap, now);
      if (gate.ok) {
        failed += 1;
        last = now;
      } else now = gate.retryAt;
    }
    expect(failed).toBeLessThan(tap.maxFailedAttempts);
    expect(minutesToExhaust(tap)).toBeGreaterThan(tap.maxLifetimeMinutes);
  });

  it("the policy refuses a back-off that strangers could outlast", () => {
    const weak = { ...DEFAULT_POLICY, tap: { ...DEFAULT_POLICY.tap, backoffFirstMinutes: 1 } };
    const result = RecoveryPolicySchema.safeParse(weak);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(" ")).toContain("never void it");
  });

  it("never lets a try through before the wait, whatever the history", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 10_000 }), (f, s) => {
        const now = new Date(at.getTime() + s * 1000);
        const gate = passTryGate({ failedAttempts: f, lastFailedAt: at }, tap, now);
        const wait = f < tap.freeFailedAttempts ? 0 : tap.backoffFirstMinutes * 2 ** (f - 3);
        expect(gate.ok).toBe(s >= wait * 60);
      }),
    );
  });
});
