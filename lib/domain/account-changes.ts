/**
 * Changes a person makes to their own ways in on /account (docs/decisions/036): name a passkey,
 * remove one, report a device lost, sign out everywhere. Pure rules; lib/server/account-changes.ts
 * applies them under the person's lock.
 *
 * - Every change needs a passkey session of a person still employed (a pass's session may only
 *   set up its one passkey).
 * - Removing a passkey and reporting one lost are destructive: like adding one (decision 016)
 *   they need a user verification within the policy's window, and use it up. A stolen unlocked
 *   laptop must not strip the owner's passkeys without the owner's fingerprint, face or PIN.
 * - Naming a passkey and signing out everywhere need no fresh verification: a name changes no
 *   way in, and signing out only takes access away (it ends the session that asked too).
 * - Removing or reporting lost the last active passkey needs an explicit confirmation, after a
 *   warning that says what recovery will then take for the person's tier, from the policy's data.
 */
import { z } from "zod";
import { plainText } from "./plain-text";
import type { Allowed } from "./recovery-decisions";
import {
  scriptFor,
  type CaseReason,
  type RecoveryPolicy,
  type ScriptStep,
} from "./recovery-policy";
import { isFreshlyVerified } from "./self-service";
import type { RiskTier } from "./workforce";

export const ACCOUNT_CHANGES = ["renamed", "removed", "lost", "signed_out"] as const;
export type AccountChange = (typeof ACCOUNT_CHANGES)[number];
export function isAccountChange(value: string | null | undefined): value is AccountChange {
  return (ACCOUNT_CHANGES as readonly string[]).includes(value ?? "");
}
export const ACCOUNT_CHANGE_LABELS: Record<AccountChange, string> = {
  renamed: "Named a passkey",
  removed: "Removed a passkey",
  lost: "Reported a device lost",
  signed_out: "Signed out everywhere",
};

/** The changes that take a way in away from the person and so need a fresh user verification. */
export const DESTRUCTIVE_CHANGES: readonly AccountChange[] = ["removed", "lost"];

export const NICKNAME_MAX = 60;

/** A passkey's name as typed: trimmed, bounded, no control or invisible characters; empty clears it. */
export const NicknameSchema = plainText({ label: "The name", max: NICKNAME_MAX });

/** The form of each change. `confirmLast` is the checkbox under the last-passkey warning. */
export const RenamePasskeySchema = z.object({
  passkeyId: z.uuid({ message: "Choose one of your passkeys." }),
  nickname: NicknameSchema,
});
export const RemovePasskeySchema = z.object({
  passkeyId: z.uuid({ message: "Choose one of your passkeys." }),
  confirmLast: z
    .literal(["on", "true"], { message: "Tick the box to confirm." })
    .optional()
    .transform((value) => value !== undefined),
});

/** Signing out everywhere has no fields. */
export const SignOutEverywhereSchema = z.object({});

export type AccountChangeFacts = {
  change: AccountChange;
  /** How the session began: only "passkey" sessions change anything here. */
  method: string;
  leaver: boolean;
  verifiedAt: Date | null;
  /** The passkey the change names, as found among the session user's own; null: not theirs. */
  passkey: { active: boolean } | null;
  /** The session user's active passkeys, under the lock. */
  activePasskeys: number;
  /** The person ticked the last-passkey warning's box. */
  confirmedLast: boolean;
  /** An open hold (a "this wasn't me", a denial): removing and reporting lost wait for the desk. */
  onHold?: boolean;
};

/** Whether this change would leave the person with no active passkey. */
export function leavesNoPasskey(
  facts: Pick<AccountChangeFacts, "change" | "passkey" | "activePasskeys">,
) {
  return (
    DESTRUCTIVE_CHANGES.includes(facts.change) &&
    facts.passkey?.active === true &&
    facts.activePasskeys <= 1
  );
}

/**
 * May this session make this change now? `lastWarning` is the words the refusal of an
 * unconfirmed last-passkey removal carries (lastPasskeyWarning for the person's tier).
 */
export function decideAccountChange(
  policy: RecoveryPolicy,
  facts: AccountChangeFacts,
  now: Date,
  lastWarning: string,
): Allowed {
  if (facts.method !== "passkey")
    return {
      ok: false,
      code: "UNAUTHENTICATED",
      message: "Sign in with a passkey to change your passkeys or sessions.",
    };
  if (facts.leaver)
    return {
      ok: false,
      code: "LEAVER",
      message: "Your account is not active, so nothing can be changed here. Call the service desk.",
    };
  if (facts.change === "signed_out") return { ok: true };
  if (!facts.passkey)
    return { ok: false, code: "NOT_FOUND", message: "That passkey is not one of yours." };
  if (!facts.passkey.active)
    return {
      ok: false,
      code: "CONFLICT",
      message: "That passkey was already removed or revoked: nothing changed.",
    };
  if (facts.change === "renamed") return { ok: true };
  // Whoever caused the hold may hold a synced copy of a passkey: while it lasts, no passkey of
  // the person is taken away from here (the desk revokes what must go).
  if (facts.onHold)
    return {
      ok: false,
      code: "ON_HOLD",
      message:
        "Changes to your account are paused until the service desk has reviewed it. Call the service desk.",
    };
  if (!isFreshlyVerified(policy, facts.verifiedAt, now))
    return {
      ok: false,
      code: "UNAUTHENTICATED",
      message: confirmBeforeMessage(policy, facts.change),
    };
  if (leavesNoPasskey(facts) && !facts.confirmedLast)
    return { ok: false, code: "CONFLICT", message: lastWarning };
  return { ok: true };
}

/** The words the page and the refusal use before a removal or a lost report. */
export function confirmBeforeMessage(policy: RecoveryPolicy, change: AccountChange): string {
  const what = change === "lost" ? "report the device lost" : "remove the passkey";
  return `Confirm it's you first: press “Confirm with a passkey to remove or report” and use a passkey you still have. Then ${what} within ${policy.lifetimes.freshVerificationMinutes} minutes.`;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/**
 * What getting a passkey back will take once the person has none, in words, derived from the
 * policy: the script the desk walks for this tier when someone is locked out (the reason's own
 * script if the policy has one), without the sign-in with a remaining passkey (there is none), and
 * whether a supervisor must approve (the policy's approval tiers).
 */
export function recoveryWithoutPasskey(
  policy: RecoveryPolicy,
  tier: RiskTier,
  reason: CaseReason = "LOCKED_OUT",
): string[] {
  const steps = scriptFor(policy, tier, reason).steps.filter((s) => s.kind !== "PASSKEY_PROOF");
  const required = steps.filter((s) => s.requirement === "required");
  const groups = new Map<string, ScriptStep[]>();
  for (const step of steps)
    if (step.requirement !== "required")
      groups.set(step.requirement, [...(groups.get(step.requirement) ?? []), step]);
  const lines = required.map((s) => s.title);
  for (const group of groups.values())
    lines.push(
      group.length === 1
        ? group[0]!.title
        : `one of: ${orList(group.map((s) => lowerFirst(s.title)))}`,
    );
  if (policy.approval.tiers.includes(tier))
    lines.push("A supervisor who took no part in the call approves the new passkey");
  return lines;
}

/** The warning shown before the last active passkey goes, and the refusal when it is not confirmed. */
export function lastPasskeyWarning(policy: RecoveryPolicy, tier: RiskTier): string {
  const steps = recoveryWithoutPasskey(policy, tier);
  return (
    "This is your last passkey. Without it you cannot sign in, and only the service desk can help you set up a new one. " +
    `They will need: ${steps.map(lowerFirst).join("; ")}. ` +
    "Tick the box to confirm you understand."
  );
}
