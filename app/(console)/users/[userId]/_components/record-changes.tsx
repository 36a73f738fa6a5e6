import { formatDateTime } from "@/components/status-badge";
import { RECORD_FIELD_LABELS, RECORD_FIELDS, type RecordField } from "@/lib/domain/fraud-signals";
import { deskRules } from "@/lib/domain/recovery-policy";
import { findRecentRecordChanges } from "@/lib/server/signals/find-signals";

/**
 * Changes to the person's phone, manager or email of record in the last 30 days: a recovery call
 * soon after one is a fraud signal (docs/decisions/031), and the agent should know why.
 */
export async function RecordChanges({ userId, now }: { userId: string; now: Date }) {
  const changes = await findRecentRecordChanges(userId, now);
  if (changes.length === 0) return null;
  const withinDays = deskRules().signals.recentRecordChange.withinDays;
  return (
    <section
      aria-labelledby="record-changes"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
    >
      <h2 id="record-changes" className="font-semibold">
        Recent changes to the record
      </h2>
      <p className="mt-1 text-xs">
        A recovery call within {withinDays} days of a change to the phone, manager or email of
        record is escalated: attackers change these first, then call.
      </p>
      <ul className="mt-2 space-y-1">
        {changes.map((change) => (
          <li key={change.id}>
            {(RECORD_FIELDS as readonly string[]).includes(change.field)
              ? RECORD_FIELD_LABELS[change.field as RecordField]
              : change.field.toLowerCase()}{" "}
            changed {formatDateTime(change.changedAt)}{" "}
            <span className="text-xs">(from {change.source})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
