/**
 * Saved recovery codes (issue 15; docs/decisions/037): their shape, and the rules for making a
 * set and for a recovery with one. Pure: lib/server/recovery-codes.ts loads the facts under the
 * user's lock (the case unit of work) and asks here.
 *
 * A code is 24 characters of Crockford base32 (120 random bits: above NIST SP 800-63B-4's 64,
 * and above the 112 bits that let a look-up secret be stored as a plain SHA-256, §3.1.2.2),
 * shown in six groups of four. The alphabet has no I, L, O or U; typing is forgiving as for a
 * pass (case, spaces and dashes ignored; O reads as 0, I and L as 1).
 */
import { approvalNeed, stopReason, type Allowed, type CaseFacts } from "./recovery-decisions";
import { isOpenCase } from "./case-state";
import type { RecoveryCodeRules, RecoveryPolicy } from "./recovery-policy";
import { decideSelfServiceEnrolment, type SelfServiceFacts } from "./self-service";
import { TAP_ALPHABET } from "./tap-code";
import type { RiskTier } from "./workforce";

export const RECOVERY_CODE_ALPHABET = TAP_ALPHABET;
export const RECOVERY_CODE_LENGTH = 24;
/** log2(32) = 5 bits per character. */
export const RECOVERY_CODE_BITS = RECOVERY_CODE_LENGTH * 5;

export function formatRecoveryCode(code: string): string {
  return code.match(/.{1,4}/g)?.join("-") ?? code;
}

/** The canonical form of what someone typed, or null if it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (cleaned.length !== RECOVERY_CODE_LENGTH) return null;
  for (const char of cleaned) if (!RECOVERY_CODE_ALPHABET.includes(char)) return null;
  return cleaned;
}

/** The policy's rules for recovery codes, or null when this version has none. */
export function recoveryCodeRules(policy: RecoveryPolicy): RecoveryCodeRules | null {
  return policy.recoveryCodes ?? null;
}

/** Whether this version of the policy lets people of this tier use saved recovery codes. */
export function codesAllowedFor(policy: RecoveryPolicy, tier: RiskTier): boolean {
  return policy.recoveryCodes?.tiers[tier].allowed === true;
}

/** The words every refusal for the tier uses (the account page, a redemption, a registration). */
export const TIER_REFUSES_CODES =
  "Recovery codes cannot be used for your account: your role needs the service desk to recover it. Call the service desk.";

/**
 * May this passkey session make a new set of recovery codes? As for adding a passkey (a new way
 * in, docs/decisions/016): signed in with a passkey, freshly verified, not on hold, not a leaver,
 * with a verified address to tell; and the policy must allow codes for the person's tier.
 */
export function decideCodeGeneration(
  policy: RecoveryPolicy,
  facts: SelfServiceFacts & { tier: RiskTier; method: string },
  now: Date,
): Allowed {
  if (facts.method !== "passkey")
    return {
      ok: false,
      code: "UNAUTHENTICATED",
      message: "Sign in with a passkey to make recovery codes.",
    };
  if (!codesAllowedFor(policy, facts.tier))
    return { ok: false, code: "FORBIDDEN", message: TIER_REFUSES_CODES };
  return decideSelfServiceEnrolment(policy, facts, now);
}

/**
 * May a recovery code lead to a new passkey on this self-service case? The same rules, in the
 * same words, as a recovery through the desk: a leaver, a stop (red flag, failed check, fraud
 * signal), a hold after a denial, or anything that needs a second person refuses it. A tier the
 * case's policy does not allow codes for refuses it too (the tier may have changed after the
 * codes were made). `registering`: the last check before the passkey is written.
 */
export function decideCodeRecovery(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  /** The person's tier now (a raise after the case opened counts). */
  tierNow: RiskTier;
  registering?: boolean;
}): Allowed {
  const { policy, facts } = input;
  if (input.registering) {
    if (!isOpenCase(facts.status))
      return {
        ok: false,
        code: "SEQUENCE",
        message: `The case is ${facts.status.toLowerCase()}: nothing it issued can be used any more.`,
      };
    if (facts.status === "REENROLLED")
      return {
        ok: false,
        code: "SEQUENCE",
        message: "This recovery already set up a new passkey.",
      };
  }
  const stop = stopReason(policy, facts);
  if (stop) return stop;
  if (!codesAllowedFor(policy, facts.riskTier) || !codesAllowedFor(policy, input.tierNow))
    return { ok: false, code: "FORBIDDEN", message: TIER_REFUSES_CODES };
  const need = approvalNeed(policy, facts);
  if (need)
    return {
      ok: false,
      code: "APPROVAL_REQUIRED",
      message: `This recovery needs a supervisor's approval (${need}).`,
    };
  return { ok: true };
}

/** After a wrong code: how many wrong codes in a row the set has taken, and whether that voids it. */
export function afterWrongCode(
  rules: RecoveryCodeRules,
  failedAttempts: number,
): { voided: boolean; attemptsLeft: number } {
  const attemptsLeft = Math.max(0, rules.maxFailedAttempts - failedAttempts);
  return { voided: attemptsLeft === 0, attemptsLeft };
}
