/**
 * The export formats of the audit trail. JSON Lines carries every field, chain fields and format
 * version included, so a file can be verified outside the console (scripts/audit-verify-export.ts,
 * with `verifyExportLines` below). CSV is for people: the same columns, with cells that a
 * spreadsheet would run as a formula neutralised. OCSF is for a SIEM: one OCSF 1.9.0-dev event per
 * line (lib/domain/ocsf.ts, docs/decisions/018-ocsf-events.md), chain fields left out.
 */
import type { KeyObject } from "node:crypto";
import {
  AUDIT_FORMAT_V1,
  chainHashV1,
  GENESIS,
  type ChainedContent,
  type ChainedEvent,
} from "./audit-chain";
import {
  AUDIT_FORMAT_V2,
  columnsDisagreeing,
  entrySignatureValid,
  parseEntry,
} from "./audit-entry";
import { parseCheckpoint } from "./tlog/checkpoint";
import { decodeBase64, noteVerifier, openNote, trustedBy } from "./tlog/note";
import { verifyProofBundle } from "./tlog/proof";
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
  // v2 (docs/decisions/017): where the event is in the log, its signed entry and signature
  // (base64), and its inclusion proof against the export's checkpoint (null for a v1 event or an
  // event newer than that checkpoint).
  "position",
  "eventId",
  "appTime",
  "keyId",
  "entry",
  "signature",
  "proof",
] as const;

/** CSV is for people: every column but the proof (several lines of base64 no one reads in a sheet). */
const CSV_COLUMNS = EXPORT_COLUMNS.filter((column) => column !== "proof");

export type ExportedEvent = Omit<ChainedEvent, "id"> & {
  id: string;
  position?: number | null;
  eventId?: string | null;
  appTime?: string | null;
  keyId?: string | null;
  entry?: string | null;
  signature?: string | null;
  proof?: string | null;
};

/**
 * The last line of a JSON Lines export: how many events it holds, the checkpoint its proofs are
 * against, and whether a filter chose the events (only an unfiltered export can show it is
 * complete). A file without it was cut short.
 */
export type ExportEnd = {
  end: {
    events: number;
    checkpointSize: number | null;
    filtered: boolean;
    /**
     * The signed checkpoint (with verified cosignatures) the proofs are against: with the log's
     * key a reader checks it, so the size that says which events must carry a proof is signed.
     */
    checkpoint: string | null;
    /** Rows that matched but are not part of the log (planted, altered): left out, counted. */
    excluded: number;
  };
};

/** A stored row as the database gives it (dates, bigints, bytes). */
export type StoredExportRow = Omit<
  ExportedEvent,
  "id" | "createdAt" | "position" | "appTime" | "entry" | "signature" | "proof"
> & {
  id: bigint;
  createdAt: Date;
  position: bigint | null;
  appTime: Date | null;
  entry: Uint8Array | null;
  signature: Uint8Array | null;
};

/** The export's view of a stored row: text dates, a number position, base64 bytes. */
export function toExportedEvent(row: StoredExportRow, proof: string | null = null): ExportedEvent {
  return {
    ...row,
    id: row.id.toString(),
    createdAt: row.createdAt.toISOString(),
    position: row.position === null ? null : Number(row.position),
    appTime: row.appTime?.toISOString() ?? null,
    entry: row.entry ? Buffer.from(row.entry).toString("base64") : null,
    signature: row.signature ? Buffer.from(row.signature).toString("base64") : null,
    proof,
  };
}

const JSON_PREFIXES = EXPORT_COLUMNS.map(
  (column, i) => (i === 0 ? "{" : ",") + JSON.stringify(column) + ":",
);

/**
 * One event as a JSON line, the columns in EXPORT_COLUMNS order, absent ones as null: the text
 * of JSON.stringify over such an object, written field by field (the export writes a million).
 */
export function toJsonLine(event: ExportedEvent): string {
  let line = "";
  for (let i = 0; i < EXPORT_COLUMNS.length; i++)
    line += JSON_PREFIXES[i]! + JSON.stringify(event[EXPORT_COLUMNS[i]!] ?? null);
  return line + "}\n";
}

/**
 * A row left out because it is not part of the log, where it holds a position: its bytes and its
 * inclusion proof, so a reader of an unfiltered export can check the gap is a row that is in the
 * tree but is not a genuine event (and not a genuine event the export hid).
 */
export type ExcludedRow = {
  position: number;
  reason: string;
  entry: string | null;
  signature: string | null;
  proof: string | null;
};

export function excludedLine(excluded: ExcludedRow): string {
  return JSON.stringify({ excluded }) + "\n";
}

export function endLine(end: ExportEnd["end"]): string {
  return JSON.stringify({ end } satisfies ExportEnd) + "\n";
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

export const CSV_HEADER = CSV_COLUMNS.map(csvCell).join(",") + "\r\n";

export function toCsvLine(event: ExportedEvent): string {
  return CSV_COLUMNS.map((column) => csvCell(event[column])).join(",") + "\r\n";
}

export type ExportVerification = {
  count: number;
  /** v1 events whose hash matched, linked to the one before, before the chain (legacy). */
  hashed: number;
  linked: number;
  legacy: number;
  /** v2 events whose entry matched their columns (and signature, when keys were given). */
  signed: number;
  /** v2 events whose inclusion proof verified against a checkpoint signed by the log's key. */
  proven: number;
  failure: string | null;
};

export type ExportCheckOptions = {
  /** An unfiltered export: v1 events must form one chain, v2 positions must run 0, 1, 2, … */
  complete: boolean;
  /** The event keys to check signatures with, by key id (without: entries are read unchecked). */
  eventKeys?: ReadonlyMap<string, KeyObject>;
  /** The log's verifier key (vkey): with it, every proof is checked and one is required. */
  logKey?: string;
  witnessKeys?: readonly string[];
};

type ExportedLine = ChainedContent & {
  id: string;
  formatVersion?: unknown;
  prevHash: string | null;
  hash: string | null;
  position?: unknown;
  eventId?: unknown;
  appTime?: unknown;
  keyId?: unknown;
  entry?: unknown;
  signature?: unknown;
  proof?: unknown;
};

/**
 * Verifies a JSON Lines export, line by line (any size), and stops at the first failure, naming
 * the line. v1 events: each hash must match its content and previous hash (with `complete`, every
 * event follows the one before it). v2 events: the columns must be the signed entry's, the
 * signature must verify (with `eventKeys`), positions must rise (with `complete`, by one from 0),
 * and each proof must show the event in a checkpoint signed by the log (with `logKey`). The end
 * line must come last and count the events: a file cut short, reordered or spliced fails. A line
 * without `formatVersion` comes from an export made before the field existed (v1). A field no
 * export carries, or a version this code does not know, fails the file.
 */
export async function verifyExportLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ExportCheckOptions,
): Promise<ExportVerification> {
  const result: ExportVerification = {
    count: 0,
    hashed: 0,
    linked: 0,
    legacy: 0,
    signed: 0,
    proven: 0,
    failure: null,
  };
  const fail = (failure: string) => ({ ...result, failure });
  let previous: string | null = null;
  let lastPosition: number | null = null;
  /** Events newer than the export's checkpoint carry no proof; no older one may lack it. */
  let firstUnproven: { line: number; position: number } | null = null;
  const skipped: { line: number; position: number }[] = [];
  /** A left-out row without a proof must be newer than the checkpoint, like an unproven event. */
  let unprovenExcluded: { line: number; position: number } | null = null;
  let end: ExportEnd["end"] | null = null;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    if (end) return fail(`line ${lineNumber} follows the end line`);
    let event: ExportedLine;
    try {
      event = JSON.parse(line) as ExportedLine;
    } catch {
      return fail(`line ${lineNumber} is not JSON`);
    }
    if (typeof event !== "object" || event === null || Array.isArray(event))
      return fail(`line ${lineNumber} is not an event`);
    if ("excluded" in event) {
      const excluded = (event as unknown as { excluded: ExcludedRow }).excluded;
      const problem = checkExcludedLine(excluded, options, lastPosition);
      if (problem) return fail(`line ${lineNumber} (left out): ${problem}`);
      for (let p = (lastPosition ?? -1) + 1; p < excluded.position; p++)
        if (skipped.length < MAX_SKIPPED) skipped.push({ line: lineNumber, position: p });
      lastPosition = excluded.position;
      if (excluded.proof === null)
        unprovenExcluded ??= { line: lineNumber, position: lastPosition };
      continue;
    }
    if ("end" in event) {
      end = (event as unknown as ExportEnd).end;
      if (typeof end !== "object" || end === null || end.events !== result.count)
        return fail(
          `the end line counts ${String(end?.events)} events but the file has ${result.count}`,
        );
      continue;
    }
    result.count++;
    // Only the export's own fields: anything else would be read as vouched for.
    const extra = Object.keys(event).find(
      (key) => !(EXPORT_COLUMNS as readonly string[]).includes(key),
    );
    if (extra !== undefined)
      return fail(`event ${event.id}: field ${JSON.stringify(extra)} is not part of the export`);
    const version = event.formatVersion === undefined ? AUDIT_FORMAT_V1 : event.formatVersion;
    if (version === AUDIT_FORMAT_V2) {
      const problem = checkV2Line(event, options, lastPosition);
      if (problem) return fail(`line ${lineNumber} (event ${event.id}): ${problem}`);
      // Positions skipped must be ones the end line says were left out (checked at the end).
      for (let p = (lastPosition ?? -1) + 1; p < (event.position as number); p++)
        if (skipped.length < MAX_SKIPPED) skipped.push({ line: lineNumber, position: p });
      lastPosition = event.position as number;
      result.signed++;
      if (typeof event.proof === "string") result.proven++;
      else firstUnproven ??= { line: lineNumber, position: lastPosition };
      continue;
    }
    if (version !== AUDIT_FORMAT_V1)
      return fail(`event ${event.id}: unknown format version ${JSON.stringify(version)}`);
    if (lastPosition !== null) return fail(`line ${lineNumber}: a v1 event after v2 events`);
    if (event.hash === null) {
      if (previous !== null) return fail(`event ${event.id} has no hash inside the chain`);
      result.legacy++;
      continue;
    }
    if (chainHashV1(event.prevHash ?? "", event) !== event.hash)
      return fail(`event ${event.id}: hash does not match its content`);
    result.hashed++;
    if (event.prevHash === (previous ?? GENESIS)) result.linked++;
    else if (options.complete) return fail(`event ${event.id} does not follow the event before it`);
    previous = event.hash;
  }
  // Exports made before v2 had no end line; every export since has one.
  if (!end && result.signed === 0) return result;
  if (!end) return fail("the file ends without its end line: it was cut short");
  // Which events must carry a proof depends on the checkpoint's size: with the log's key, that
  // size is read from the signed checkpoint on the end line, never from an unsigned number.
  let signedSize = end.checkpointSize;
  if (options.logKey) {
    const checkpoint = signedCheckpointSize(end.checkpoint, options.logKey);
    if (typeof checkpoint === "string") return fail(`the end line's checkpoint: ${checkpoint}`);
    if (checkpoint !== end.checkpointSize)
      return fail(
        `the end line says checkpoint ${String(end.checkpointSize)} but carries ${String(checkpoint)}`,
      );
    signedSize = checkpoint;
  }
  if (options.logKey && firstUnproven && firstUnproven.position < (signedSize ?? Infinity))
    return fail(
      signedSize === null
        ? "no event is proven: the log had no checkpoint when this was exported"
        : `line ${firstUnproven.line}: position ${firstUnproven.position} is inside checkpoint ${signedSize} but has no inclusion proof`,
    );
  if (options.complete) {
    const missing = skipped[0];
    if (missing)
      return fail(
        `line ${missing.line}: position ${missing.position} is missing, and the export does not account for it`,
      );
    if (unprovenExcluded && unprovenExcluded.position < (signedSize ?? Infinity))
      return fail(
        `line ${unprovenExcluded.line}: the row left out at position ${unprovenExcluded.position} has no inclusion proof`,
      );
  }
  if (options.complete && end.filtered)
    return fail("the export was filtered: it cannot be complete");
  if (
    options.complete &&
    end.checkpointSize !== null &&
    (lastPosition ?? -1) + 1 < end.checkpointSize
  )
    return fail(
      `the export ends at position ${lastPosition ?? "none"} but its checkpoint signed ${end.checkpointSize} events`,
    );
  return result;
}

const MAX_SKIPPED = 100_000;

/** The size in a checkpoint note signed by the log's key, null for none, or what is wrong with it. */
function signedCheckpointSize(
  note: string | null | undefined,
  logKey: string,
): number | null | string {
  if (note === null || note === undefined) return null;
  try {
    const verifier = noteVerifier(logKey);
    const opened = openNote(note, [verifier]);
    if (!trustedBy(opened, verifier)) return "not signed by the log's key";
    return parseCheckpoint(opened.text).size;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * A left-out row, in an unfiltered export, accounts for its position only if it is in the tree
 * there (its proof, with the log's key) and is not a genuine event (with the event keys): a
 * genuine event listed as left out is an event hidden.
 */
function checkExcludedLine(
  excluded: ExcludedRow,
  options: ExportCheckOptions,
  lastPosition: number | null,
): string | null {
  if (typeof excluded !== "object" || excluded === null) return "not a left-out row";
  const position = excluded.position;
  if (typeof position !== "number" || !Number.isSafeInteger(position) || position < 0)
    return "no position";
  if (lastPosition !== null && position <= lastPosition)
    return `position ${position} after ${lastPosition}: rows were reordered or repeated`;
  if (!options.complete) return null;
  if (!options.logKey || !options.eventKeys)
    return "a row left out can only be accounted for with the log's key and the event keys";
  const entry = excluded.entry === null ? Buffer.alloc(0) : decodeBase64(excluded.entry);
  const signature =
    excluded.signature === null ? Buffer.alloc(0) : decodeBase64(excluded.signature);
  if (!entry || !signature) return "its bytes are not base64";
  const parsed = parseEntry(entry);
  if (parsed.ok) {
    const key = options.eventKeys.get(parsed.content.keyId);
    if (key && entrySignatureValid(entry, signature, key))
      return `position ${position} holds a genuine event, which the export left out`;
  }
  if (excluded.proof === null) return null;
  const proof = verifyProofBundle({
    bundle: excluded.proof,
    leaf: { signature, entry },
    logVerifierKey: options.logKey,
    witnessVerifierKeys: options.witnessKeys ? [...options.witnessKeys] : undefined,
  });
  if (!proof.ok) return `inclusion proof: ${proof.failed}: ${proof.message}`;
  if (proof.index !== position) return `the proof is for position ${proof.index}`;
  return null;
}

function checkV2Line(
  event: ExportedLine,
  options: ExportCheckOptions,
  lastPosition: number | null,
): string | null {
  const position = event.position;
  if (typeof position !== "number" || !Number.isSafeInteger(position) || position < 0)
    return "no position";
  if (lastPosition !== null && position <= lastPosition)
    return `position ${position} after ${lastPosition}: events were reordered or repeated`;
  const entry = typeof event.entry === "string" ? decodeBase64(event.entry) : null;
  const signature = typeof event.signature === "string" ? decodeBase64(event.signature) : null;
  if (!entry || !signature) return "no signed entry";
  const parsed = parseEntry(entry);
  if (!parsed.ok) return parsed.problem;
  const differing = columnsDisagreeing(parsed.content, {
    ...event,
    eventId: typeof event.eventId === "string" ? event.eventId : null,
    keyId: typeof event.keyId === "string" ? event.keyId : null,
    appTime: typeof event.appTime === "string" ? event.appTime : null,
  });
  if (differing.length > 0) return `columns differ from the signed entry: ${differing.join(", ")}`;
  if (options.eventKeys) {
    const key = options.eventKeys.get(parsed.content.keyId);
    if (!key) return `signed by an unknown key (${parsed.content.keyId})`;
    if (!entrySignatureValid(entry, signature, key)) return "the signature does not match";
  }
  if (options.logKey && event.proof !== null) {
    if (typeof event.proof !== "string") return "no inclusion proof";
    const proof = verifyProofBundle({
      bundle: event.proof,
      leaf: { signature, entry },
      logVerifierKey: options.logKey,
      witnessVerifierKeys: options.witnessKeys ? [...options.witnessKeys] : undefined,
    });
    if (!proof.ok) return `inclusion proof: ${proof.failed}: ${proof.message}`;
    if (proof.index !== position) return `the proof is for position ${proof.index}`;
  }
  return null;
}
