/**
 * When the audit log's signer signs a new checkpoint (docs/decisions/017-verifiable-audit-log.md):
 * at least every interval (a minute by default) while events arrive, and at once after a
 * high-risk decision, so that the window in which someone with the database owner's powers could
 * rewrite events no checkpoint covers yet is short, and shortest for the decisions that matter.
 */

/** Decisions after which the deciding transaction asks for a checkpoint as it commits. */
export const PROMPT_CHECKPOINT_ACTIONS: ReadonlySet<string> = new Set([
  "approval.approved",
  "approval.denied",
  "reenrolment.link_sent",
  "passkey.enrolled",
  "passkey.revoked",
  "passkey.repudiated",
  "case.repudiated",
  "tap.issued",
  "tap.redeemed",
  "workforce.status_changed",
  "audit.exported",
]);

export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 60;

export function checkpointDue(input: {
  /** Size of the log now, and of the latest checkpoint. */
  size: number;
  signedSize: number;
  /** When the latest checkpoint was signed (null: never). */
  signedAt: Date | null;
  now: Date;
  intervalSeconds: number;
  /** A high-risk decision asked for one. */
  requested: boolean;
}): boolean {
  if (input.size <= input.signedSize) return false;
  if (input.requested || input.signedAt === null) return true;
  return input.now.getTime() - input.signedAt.getTime() >= input.intervalSeconds * 1000;
}
