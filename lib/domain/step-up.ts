/**
 * Step-up for staff (docs/decisions/015-staff-step-up.md; docs/security-requirements.md F6): before
 * a high-risk act the staff member must have proved themselves with user verification within a
 * short window: a staff passkey assertion, or a sign-in that the identity provider vouched for
 * as phishing-resistant. Pure rules; the server reads the clock and the configuration.
 */

/** The window's default and bounds, in minutes (lib/env.ts STEP_UP_WINDOW_MINUTES). */
export const STEP_UP_WINDOW = { defaultMinutes: 5, minMinutes: 1, maxMinutes: 15 } as const;

/** What a refusal says: what to do, in the words of the button that does it. */
export const STEP_UP_REQUIRED_MESSAGE = "Confirm it's you with your passkey, then try again.";
export const STEP_UP_ENROL_MESSAGE =
  "This needs you to confirm it's you with a staff passkey, and you have none yet. Set one up on the Your passkeys page (sign in again first if it has been more than a few minutes), then try again.";

/** An identity provider's clock may run a little ahead of ours. */
const CLOCK_SKEW_MS = 60 * 1000;

/** Whether the last user verification is recent enough for a high-risk act. */
export function isStepUpFresh(verifiedAt: Date | null, now: Date, windowMs: number): boolean {
  if (!verifiedAt) return false;
  const age = now.getTime() - verifiedAt.getTime();
  return age >= -CLOCK_SKEW_MS && age <= windowMs;
}

/** The ID token's `amr` and `acr` as the console keeps them: bounded, strings only. */
export type SignInAssurance = { amr: string[]; acr: string | null; authTime: Date | null };

const SHORT_TOKEN = /^[\x21-\x7e]{1,200}$/;

/** Reads `amr` (array of strings), `acr` (string) and `auth_time` (seconds) from ID-token claims. */
export function assuranceFromClaims(claims: Record<string, unknown>): SignInAssurance {
  const amr = (Array.isArray(claims.amr) ? claims.amr : [])
    .filter((value): value is string => typeof value === "string" && SHORT_TOKEN.test(value))
    .slice(0, 10)
    .map((value) => value.slice(0, 64));
  const acr = typeof claims.acr === "string" && SHORT_TOKEN.test(claims.acr) ? claims.acr : null;
  const authTime =
    typeof claims.auth_time === "number" &&
    Number.isFinite(claims.auth_time) &&
    claims.auth_time > 0
      ? new Date(claims.auth_time * 1000)
      : null;
  return { amr: [...new Set(amr)], acr, authTime };
}

/** Which values the deployment accepts as the provider's word for a phishing-resistant sign-in. */
export type PhishingResistantPolicy = { acr: readonly string[]; amr: readonly string[] };

/** A space-separated configuration value as a list (empty entries dropped). */
export function configList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter(Boolean);
}

/**
 * Whether the provider said the sign-in was phishing-resistant: its `acr` is one of the accepted
 * values, or one of its `amr` values is (none by default: amr values are not standardised enough
 * to mean "phishing-resistant" on their own, see decision 015).
 */
export function isPhishingResistant(
  assurance: Pick<SignInAssurance, "amr" | "acr">,
  policy: PhishingResistantPolicy,
): boolean {
  if (assurance.acr !== null && policy.acr.includes(assurance.acr)) return true;
  return assurance.amr.some((value) => policy.amr.includes(value));
}

/**
 * When a phishing-resistant SSO sign-in counts as a verification: when the person authenticated
 * at the provider (`auth_time`), never later than the sign-in itself. Null when it does not count.
 */
export function verifiedAtFromSignIn(
  assurance: SignInAssurance,
  policy: PhishingResistantPolicy,
  signedInAt: Date,
): Date | null {
  if (!isPhishingResistant(assurance, policy)) return null;
  const at = assurance.authTime ?? signedInAt;
  return at.getTime() > signedInAt.getTime() ? signedInAt : at;
}

export type PasskeyManagement = { ok: true; via: "step-up" | "fresh sign-in" } | { ok: false };

/**
 * Whether a staff member may add or remove one of their own staff passkeys now. Either needs a
 * fresh step-up; or a sign-in younger than the window, to remove a lost passkey, or to add the
 * very first one of a staff member who never had any. A session stolen right after a plain
 * sign-in can therefore remove the owner's passkey but never put its own in its place (someone
 * who lost their only passkey confirms with a phishing-resistant sign-in, or has it reset); an
 * older stolen session can do neither.
 */
export function mayManageStaffPasskeys(input: {
  act: "add" | "remove";
  activePasskeys: number;
  /** Whether the staff member ever had a staff passkey, removed ones included. */
  everHadPasskey: boolean;
  verifiedAt: Date | null;
  sessionStartedAt: Date;
  now: Date;
  windowMs: number;
}): PasskeyManagement {
  if (isStepUpFresh(input.verifiedAt, input.now, input.windowMs))
    return { ok: true, via: "step-up" };
  const freshSignIn = isStepUpFresh(input.sessionStartedAt, input.now, input.windowMs);
  if (
    freshSignIn &&
    (input.act === "remove" || (input.activePasskeys === 0 && !input.everHadPasskey))
  )
    return { ok: true, via: "fresh sign-in" };
  return { ok: false };
}
