import { formatDateTime } from "@/components/status-badge";
import { getRecoveryCodeSummary } from "@/lib/server/recovery-codes";

/**
 * Whether the person has saved recovery codes, how many are left and when they were made
 * (docs/decisions/037). Never the codes: only their hashes are kept. The page's reader is checked
 * by the page (users:read).
 */
export async function RecoveryCodesSummary({ userId }: { userId: string }) {
  const summary = await getRecoveryCodeSummary(userId);
  return (
    <section aria-labelledby="recovery-codes" className="space-y-1">
      <h2 id="recovery-codes" className="text-lg font-semibold">
        Recovery codes
      </h2>
      <p className="text-sm text-slate-700">
        {summary
          ? `Has recovery codes (${summary.left} of ${summary.total} left, created ${formatDateTime(summary.createdAt)}).`
          : "No recovery codes."}{" "}
        <span className="text-slate-600">
          Codes are shown only to the person, once; revoking all passkeys voids them.
        </span>
      </p>
    </section>
  );
}
