import { formatDateTime } from "@/components/status-badge";
import { ScrollRegion } from "@/components/scroll-region";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { getSiemSinkStatus } from "@/lib/server/siem/status";

/**
 * The audit page's "SIEM streaming" section (docs/decisions/019-siem-streaming.md): each
 * configured sink, its cursor and lag, and its failures. It checks the audit-reading permission
 * itself, so it shows nothing to anyone else wherever it is placed.
 */
export async function SiemSinksSection() {
  const staff = await requirePermission("audit:read", "/audit");
  const sinks = await getSiemSinkStatus(staff);
  return (
    <section aria-labelledby="siem-sinks" className="space-y-2">
      <h2 id="siem-sinks" className="text-lg font-semibold">
        SIEM streaming
      </h2>
      {sinks.length === 0 ? (
        <p className="text-sm text-slate-600">
          No SIEM sink is configured (SIEM_SINKS): the audit trail is not streamed.
        </p>
      ) : (
        <ScrollRegion label="SIEM sinks" className="rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">SIEM sinks and how far each has got</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Sink
                </th>
                <th scope="col" className="px-3 py-2">
                  Sends to
                </th>
                <th scope="col" className="px-3 py-2">
                  Delivered up to
                </th>
                <th scope="col" className="px-3 py-2">
                  Lag
                </th>
                <th scope="col" className="px-3 py-2">
                  Last success
                </th>
                <th scope="col" className="px-3 py-2">
                  Last error
                </th>
                <th scope="col" className="px-3 py-2">
                  Dead letters
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sinks.map((sink) => (
                <tr key={sink.name}>
                  <td className="px-3 py-2">
                    <div className="font-medium">{sink.name}</div>
                    <div className="text-xs text-slate-600">
                      {sink.type}, {sink.format}
                    </div>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{sink.destination}</td>
                  <td className="px-3 py-2">
                    {sink.position === null ? "nothing yet" : `position ${sink.position}`}
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={sink.lag === 0n ? "good" : sink.attempts > 0 ? "bad" : "warn"}>
                      {sink.lag.toString()} {sink.lag === 1n ? "event" : "events"}
                    </Badge>
                  </td>
                  <td className="px-3 py-2">
                    {sink.lastSuccessAt ? formatDateTime(sink.lastSuccessAt) : "never"}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {sink.lastError ? (
                      <>
                        <span className="text-rose-800">{sink.lastError}</span>
                        {sink.attempts > 0 ? (
                          <span className="block text-slate-600">
                            {sink.attempts} failed {sink.attempts === 1 ? "attempt" : "attempts"}
                            {sink.nextAttemptAt
                              ? `, next ${formatDateTime(sink.nextAttemptAt)}`
                              : ""}
                          </span>
                        ) : null}
                      </>
                    ) : (
                      "none"
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {sink.deadLetters.waiting > 0 ? (
                      <Badge tone="bad">{sink.deadLetters.waiting} to replay</Badge>
                    ) : (
                      "none waiting"
                    )}
                    {sink.deadLetters.total > sink.deadLetters.waiting ? (
                      <span className="block text-xs text-slate-600">
                        {sink.deadLetters.total - sink.deadLetters.waiting} replayed
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="border-t border-slate-100 px-3 py-2 text-xs text-slate-600">
            Delivery is at least once, in position order. Replay a dead letter with{" "}
            <code>npm run siem:replay -- &lt;id&gt;</code> (without an id it lists them).
          </p>
        </ScrollRegion>
      )}
    </section>
  );
}
