/**
 * Revocation: immediate, never waiting for approval (NIST SP 800-63B-4 §4.5: the consequences
 * of not invalidating are worse). One passkey, or all of a user's passkeys.
 */
import type { Refusal } from "./recovery-decisions";

export const REVOCATION_REASONS = ["LOST", "STOLEN", "LEAVER", "SUSPECTED_COMPROMISE"] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
export const REVOCATION_REASON_LABELS: Record<RevocationReason, string> = {
  LOST: "Lost",
  STOLEN: "Stolen",
  LEAVER: "Leaver",
  SUSPECTED_COMPROMISE: "Suspected compromise",
};
/**
 * Reasons the system records but staff do not choose in the revoke dialog: a security key handed
 * back to the inventory (docs/decisions/039). The trail accepts both lists.
 */
export const RECORDED_REVOCATION_REASONS = [...REVOCATION_REASONS, "RETURNED"] as const;
export type RecordedRevocationReason = (typeof RECORDED_REVOCATION_REASONS)[number];
export const RECORDED_REVOCATION_REASON_LABELS: Record<RecordedRevocationReason, string> = {
  ...REVOCATION_REASON_LABELS,
  RETURNED: "Security key returned",
};

/**
 * One passkey, or all of them. Revoke-all from the console names the passkeys its confirmation
 * showed (`confirmedPasskeyIds`, decision 025): what was confirmed is what is revoked. Server
 * code that revokes everything on its own judgement (the race tests, the benchmark) leaves it out.
 */
export type RevocationRequest =
  { scope: "ONE"; passkeyId: string } | { scope: "ALL"; confirmedPasskeyIds?: readonly string[] };

/** What a staff member is asked to confirm before revoking all: the passkeys, and what else stops. */
export type RevokeAllPreview = {
  /** The active passkeys, each in words the agent recognises (model, kind, last use). */
  passkeys: readonly { id: string; label: string }[];
  /** What else stops working, in words; empty when nothing else is open. */
  alsoStops: readonly string[];
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What else revoke-all stops, in words, from the counts of what is open now: the same things
 * voidRecovery voids for a person, and their sessions.
 */
export function revokeAllStops(open: {
  passes: number;
  enrolmentLinks: number;
  stepLinks: number;
  approvals: number;
  sessions: number;
}): string[] {
  return [
    open.passes > 0 && plural(open.passes, "temporary access pass", "temporary access passes"),
    open.enrolmentLinks > 0 &&
      plural(open.enrolmentLinks, "link to set up a passkey", "links to set up a passkey"),
    open.stepLinks > 0 &&
      plural(
        open.stepLinks,
        "confirmation request (manager or passkey sign-in)",
        "confirmation requests (manager or passkey sign-in)",
      ),
    open.approvals > 0 &&
      plural(
        open.approvals,
        "re-enrolment request waiting for a supervisor",
        "re-enrolment requests waiting for a supervisor",
      ),
    open.sessions > 0 &&
      plural(open.sessions, "signed-in session (signed out)", "signed-in sessions (signed out)"),
  ].filter((line): line is string => typeof line === "string");
}

/**
 * Which passkeys a revocation covers. Revoking all is always possible (it also voids passes,
 * links, approvals and sessions even when no passkey is left), but when it names the passkeys
 * its confirmation showed, they must be exactly the active ones now: a passkey added or revoked
 * since is a refusal that asks to look again, never a silent difference. Revoking one needs an
 * active passkey of this user.
 */
export function decideRevocation(input: {
  request: RevocationRequest;
  activePasskeyIds: readonly string[];
}): { ok: true; passkeyIds: string[] } | Refusal {
  if (input.request.scope === "ALL") {
    const confirmed = input.request.confirmedPasskeyIds;
    if (confirmed) {
      const active = new Set(input.activePasskeyIds);
      const named = new Set(confirmed);
      const added = [...active].filter((id) => !named.has(id)).length;
      const gone = [...named].filter((id) => !active.has(id)).length;
      if (added > 0 || gone > 0) {
        const changes = [
          added > 0 && `${plural(added, "passkey was", "passkeys were")} added`,
          gone > 0 &&
            `${plural(gone, "passkey", "passkeys")} you confirmed ${gone === 1 ? "is" : "are"} no longer active`,
        ].filter(Boolean);
        return {
          ok: false,
          code: "CONFLICT",
          message: `Nothing was revoked: the passkeys changed since you confirmed (${changes.join("; ")}). Look at the list again and confirm.`,
        };
      }
    }
    return { ok: true, passkeyIds: [...input.activePasskeyIds] };
  }
  if (!input.activePasskeyIds.includes(input.request.passkeyId)) {
    return {
      ok: false,
      code: "CONFLICT",
      message: "That passkey is not an active passkey of this person (already revoked?).",
    };
  }
  return { ok: true, passkeyIds: [input.request.passkeyId] };
}
