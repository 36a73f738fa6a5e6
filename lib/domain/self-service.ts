/**
 * Adding a passkey while signed in with another one (docs/decisions/016): no recovery and no
 * agent, so the session itself must be strong enough. A passkey session may add one only within
 * the policy's window after a user-verified assertion (its sign-in, or "Confirm it's you"), never
 * while the person's recovery is on hold or they have left or are suspended. One verification,
 * one passkey: a success uses the verification up.
 */
import type { Allowed } from "./recovery-decisions";
import type { RecoveryPolicy } from "./recovery-policy";

export type SelfServiceFacts = {
  /** The session's last user-verified assertion, or null (none yet, or used up by an addition). */
  verifiedAt: Date | null;
  onHold: boolean;
  leaver: boolean;
  /** How many verified addresses the person has: an addition is always told to them. */
  verifiedAddresses: number;
};

/** Until when a verification lets the session add a passkey (null: it does not). */
export function freshUntil(policy: RecoveryPolicy, verifiedAt: Date | null): Date | null {
  if (!verifiedAt) return null;
  return new Date(verifiedAt.getTime() + policy.lifetimes.freshVerificationMinutes * 60_000);
}

export function isFreshlyVerified(
  policy: RecoveryPolicy,
  verifiedAt: Date | null,
  now: Date,
): boolean {
  const until = freshUntil(policy, verifiedAt);
  // A verification "from the future" (a clock step) does not count either.
  return until !== null && verifiedAt!.getTime() <= now.getTime() + 1000 && now < until;
}

/** The words the account page and every refusal use, so the two never disagree. */
export function confirmFirstMessage(policy: RecoveryPolicy): string {
  return `Confirm it's you first: press “Confirm it's you” and use a passkey you already have. Then add the new passkey within ${policy.lifetimes.freshVerificationMinutes} minutes.`;
}

/**
 * May this passkey session add a passkey now? The messages are shown to the person signed in
 * (who proved themselves with a passkey), so they say what to do.
 */
export function decideSelfServiceEnrolment(
  policy: RecoveryPolicy,
  facts: SelfServiceFacts,
  now: Date,
): Allowed {
  if (facts.leaver)
    return {
      ok: false,
      code: "LEAVER",
      message: "Your account is not active, so no passkey can be added. Call the service desk.",
    };
  if (facts.onHold)
    return {
      ok: false,
      code: "ON_HOLD",
      message:
        "Adding passkeys is paused on your account until the service desk has reviewed a recent report. Call the service desk.",
    };
  // Never silent: every addition is told to an address of record, with the link that undoes it.
  if (facts.verifiedAddresses === 0)
    return {
      ok: false,
      code: "SEQUENCE",
      message:
        "We have no verified email address to tell you about a new passkey, so none can be added here. Call the service desk.",
    };
  if (!isFreshlyVerified(policy, facts.verifiedAt, now))
    return { ok: false, code: "UNAUTHENTICATED", message: confirmFirstMessage(policy) };
  return { ok: true };
}
