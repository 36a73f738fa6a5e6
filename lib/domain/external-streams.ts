/**
 * Which audited actions leave the console for other systems: the SIEM sinks
 * (lib/server/siem/deliver.ts) and, later, the Shared Signals transmitter. Practice calls
 * (docs/decisions/030) are training, not events about real people or real access: a SIEM rule or
 * a receiver of security events must never act on them. They stay in the console's own signed
 * trail (and its exports for reviewers), and nothing else sees them.
 */
const INTERNAL_PREFIXES = ["practice."] as const;

/** Whether an audited action may be sent to an external stream (SIEM, Shared Signals). */
export function reachesExternalStreams(action: string): boolean {
  return !INTERNAL_PREFIXES.some((prefix) => action.startsWith(prefix));
}
