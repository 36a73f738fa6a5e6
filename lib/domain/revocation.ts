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

export type RevocationRequest = { scope: "ONE"; passkeyId: string } | { scope: "ALL" };

/**
 * Which passkeys a revocation covers. Revoking all is always possible (it also voids passes,
 * links, approvals and sessions even when no passkey is left); revoking one needs an active
 * passkey of this user.
 */
export function decideRevocation(input: {
  request: RevocationRequest;
  activePasskeyIds: readonly string[];
}): { ok: true; passkeyIds: string[] } | Refusal {
  if (input.request.scope === "ALL") return { ok: true, passkeyIds: [...input.activePasskeyIds] };
  if (!input.activePasskeyIds.includes(input.request.passkeyId)) {
    return {
      ok: false,
      code: "CONFLICT",
      message: "That passkey is not an active passkey of this person (already revoked?).",
    };
  }
  return { ok: true, passkeyIds: [input.request.passkeyId] };
}
