/**
 * The export formats of the audit trail. JSON Lines carries every field, chain fields included,
 * so a file can be verified outside the console (scripts/audit-verify-export.ts). CSV is for
 * people: the same columns, with cells that a spreadsheet would run as a formula neutralised.
 */
import type { ChainedEvent } from "./audit-chain";

export const EXPORT_COLUMNS = [
  "id", "createdAt", "action", "outcome", "reason", "actorType", "actorId", "actorName", "actorRole",
  "targetType", "targetId", "subjectUserId", "caseId", "requestId", "ip", "data", "prevHash", "hash",
] as const;

export type ExportedEvent = Omit<ChainedEvent, "id"> & { id: string };

export function toJsonLine(event: ExportedEvent): string {
  return JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, event[column]]))) + "\n";
}

/** OWASP CSV injection: a cell starting with = + - @ (or tab/CR) is prefixed with a quote. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const CSV_HEADER = EXPORT_COLUMNS.map(csvCell).join(",") + "\r\n";

export function toCsvLine(event: ExportedEvent): string {
  return EXPORT_COLUMNS.map((column) => csvCell(event[column])).join(",") + "\r\n";
}
