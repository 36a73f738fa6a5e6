/**
 * The export formats of the audit trail. JSON Lines carries every field, chain fields and format
 * version included, so a file can be verified outside the console (scripts/audit-verify-export.ts,
 * with `verifyExportLines` below). CSV is for people: the same columns, with cells that a
 * spreadsheet would run as a formula neutralised. OCSF is for a SIEM: one OCSF 1.9.0-dev event per
 * line (lib/domain/ocsf.ts, docs/decisions/018-ocsf-events.md), chain fields left out.
 */
import {
  AUDIT_FORMAT_V1,
  chainHashV1,
  GENESIS,
  type ChainedContent,
  type ChainedEvent,
} from "./audit-chain";
import { toOcsf, type StoredAuditEvent } from "./ocsf";

/** `format=` of /audit/export; the `audit.exported` payload names one of these. */
export const EXPORT_FORMATS = ["jsonl", "csv", "ocsf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

// formatVersion comes last so that files read by column position keep their earlier columns.
export const EXPORT_COLUMNS = [
  "id",
  "createdAt",
  "action",
  "outcome",
  "reason",
  "actorType",
  "actorId",
  "actorName",
  "actorRole",
  "targetType",
  "targetId",
  "subjectUserId",
  "caseId",
  "requestId",
  "ip",
  "data",
  "prevHash",
  "hash",
  "formatVersion",
] as const;

export type ExportedEvent = Omit<ChainedEvent, "id"> & { id: string };

export function toJsonLine(event: ExportedEvent): string {
  return (
    JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, event[column]]))) +
    "\n"
  );
}

/** One OCSF event as a JSON line, from the row as stored (toOcsf reads the v2 columns too). */
export function toOcsfLine(event: StoredAuditEvent): string {
  return JSON.stringify(toOcsf(event)) + "\n";
}

/** OWASP CSV injection: a cell starting with = + - @ (or tab/CR) is prefixed with a quote. */
function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ""
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const CSV_HEADER = EXPORT_COLUMNS.map(csvCell).join(",") + "\r\n";

export function toCsvLine(event: ExportedEvent): string {
  return EXPORT_COLUMNS.map((column) => csvCell(event[column])).join(",") + "\r\n";
}

export type ExportVerification = {
  count: number;
  hashed: number;
  linked: number;
  legacy: number;
  failure: string | null;
};

type ExportedLine = ChainedContent & {
  id: string;
  formatVersion?: unknown;
  prevHash: string | null;
  hash: string | null;
};

/**
 * Verifies a JSON Lines export, line by line (any size). Every event's hash must match its content
 * and previous hash; with `complete` (an unfiltered export) every event must also follow the one
 * before it, from the start of the chain. A line without `formatVersion` comes from an export made
 * before the field existed, when every event was v1; any version other than v1 is refused, not
 * hashed as v1, and so is a field that no export carries. Stops at the first failure.
 */
export async function verifyExportLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: { complete: boolean },
): Promise<ExportVerification> {
  const result: ExportVerification = { count: 0, hashed: 0, linked: 0, legacy: 0, failure: null };
  let previous: string | null = null;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    result.count++;
    let event: ExportedLine;
    try {
      event = JSON.parse(line) as ExportedLine;
    } catch {
      return { ...result, failure: `line ${lineNumber} is not JSON` };
    }
    if (typeof event !== "object" || event === null || Array.isArray(event))
      return { ...result, failure: `line ${lineNumber} is not an event` };
    // The hash covers only the event's fields: a field it does not cover would be read as vouched for.
    const extra = Object.keys(event).find(
      (key) => !(EXPORT_COLUMNS as readonly string[]).includes(key),
    );
    if (extra !== undefined)
      return {
        ...result,
        failure: `event ${event.id}: field ${JSON.stringify(extra)} is not part of the export`,
      };
    const version = event.formatVersion === undefined ? AUDIT_FORMAT_V1 : event.formatVersion;
    if (version !== AUDIT_FORMAT_V1)
      return {
        ...result,
        failure: `event ${event.id}: unknown format version ${JSON.stringify(version)}`,
      };
    if (event.hash === null) {
      if (previous !== null)
        return { ...result, failure: `event ${event.id} has no hash inside the chain` };
      result.legacy++;
      continue;
    }
    if (chainHashV1(event.prevHash ?? "", event) !== event.hash)
      return { ...result, failure: `event ${event.id}: hash does not match its content` };
    result.hashed++;
    if (event.prevHash === (previous ?? GENESIS)) result.linked++;
    else if (options.complete)
      return { ...result, failure: `event ${event.id} does not follow the event before it` };
    previous = event.hash;
  }
  return result;
}
