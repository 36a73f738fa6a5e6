import "server-only";
import type { AuditActor, Tx } from "../audit";
import type { RequestContext } from "../request-context";

/**
 * Called in the transaction that finishes a practice run: certifies the staff member if their
 * passed runs now meet the policy (docs/decisions/032), audited. Returns the new certification's
 * expiry, or null when none was awarded.
 */
export async function awardCertificationIfEarned(
  tx: Tx,
  input: { staffId: string; now: Date; actor: AuditActor; request?: RequestContext },
): Promise<{ expiresAt: Date } | null> {
  void tx;
  void input;
  return null;
}
