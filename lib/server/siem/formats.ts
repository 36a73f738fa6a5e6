/**
 * How an audit event is written for a SIEM: one line of text per event, by format name. The
 * registry loads a formatter on first use, so a format's module (and what it imports) is read
 * only by consoles that stream in that format.
 *
 * NOTE: not marked "server-only": `npm run siem:replay` (plain Node) formats too.
 */
import type { AuditEvent } from "@/generated/prisma/client";
import { toExportedEvent, toJsonLine } from "@/lib/domain/audit-export";
import type { SiemFormat } from "@/lib/domain/siem-sinks";

/** One event as one line of text (no line break). */
export type SiemFormatter = (event: AuditEvent) => string;

/**
 * The JSON Lines line of the audit export (lib/domain/audit-export.ts), v2 columns included:
 * position and eventId (the cursor and the receiver's de-duplication key), appTime and keyId, and
 * the signed entry and its signature in base64, so a SIEM can verify each event without the
 * console. No inclusion proof: a streamed event is newer than any checkpoint.
 */
export const jsonlFormatter: SiemFormatter = (event) =>
  toJsonLine(toExportedEvent(event)).trimEnd();

const REGISTRY: Record<SiemFormat, () => Promise<SiemFormatter>> = {
  jsonl: async () => jsonlFormatter,
  ocsf: async () => {
    const { toOcsf } = await import("@/lib/domain/ocsf");
    return (event) => JSON.stringify(toOcsf(event));
  },
};

const loaded = new Map<SiemFormat, Promise<SiemFormatter>>();

/** The formatter of a format, loaded once per process (a failed load is tried again next time). */
export function formatterFor(format: SiemFormat): Promise<SiemFormatter> {
  let formatter = loaded.get(format);
  if (!formatter) {
    formatter = REGISTRY[format]();
    formatter.catch(() => loaded.delete(format));
    loaded.set(format, formatter);
  }
  return formatter;
}
