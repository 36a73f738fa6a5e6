import "server-only";
import { db } from "@/lib/db";
import { onlyPartOfTheLog } from "./find-audit-events";

/** What happened to a user's recovery, in words for the user (their own account page). */
const LABELS: Record<string, string> = {
  "case.opened": "The service desk opened a recovery case",
  "tap.issued": "A temporary access pass was issued",
  "tap.redeemed": "Your temporary access pass was used",
  "passkey.enrolled": "A new passkey was added",
  "passkey.revoked": "Passkeys were revoked",
  "case.repudiated": "You reported a recovery as not you",
  "passkey.repudiated": "You reported an added passkey as not you",
  "case.closed": "A recovery case was closed",
  // Self-service on /account (docs/decisions/036).
  "account.passkey_renamed": "A passkey was renamed",
  "account.passkey_removed": "A passkey was removed",
  "account.passkey_reported_lost": "A device was reported lost",
  "account.signed_out_everywhere": "You were signed out everywhere",
  "account.change_repudiated": "You reported a change to your account as not you",
};

export async function findRecoveryEvents(userId: string, limit = 10) {
  // Only events that are part of the log (decision 017): a planted row tells the user nothing.
  const events = await onlyPartOfTheLog(
    await db.auditEvent.findMany({
      where: { subjectUserId: userId, outcome: "ALLOWED", action: { in: Object.keys(LABELS) } },
      orderBy: { id: "desc" },
      take: limit,
    }),
  );
  return events.map((event) => ({
    id: event.id.toString(),
    label: LABELS[event.action]!,
    createdAt: event.createdAt,
  }));
}
