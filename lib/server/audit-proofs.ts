import "server-only";
import { toExportedEvent, toJsonLine } from "@/lib/domain/audit-export";
import { checkV2Row } from "@/lib/domain/audit-log-check";
import { cosignatureVerifier } from "@/lib/domain/tlog/cosignature";
import { parseCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { openNote, trustedBy, type NoteVerifier } from "@/lib/domain/tlog/note";
import { formatProof } from "@/lib/domain/tlog/proof";
import { configuredWitnesses, logNoteVerifier } from "./audit-log-config";
import { db } from "@/lib/db";
import { trustedEventKeys } from "./audit-keys";
import { consistencyProofAt, inclusionProofAt } from "./audit-tiles";

/**
 * What the console serves from its audit log for auditors and tools (docs/decisions/017): the
 * latest checkpoint with its cosignatures, one event with its inclusion proof, and consistency
 * proofs between two checkpointed sizes. Proofs are answered from the stored tiles, so only sizes
 * that were checkpointed can be asked for. Null means there is no such thing to prove.
 */
export async function checkpointNote(size?: number) {
  const log = logNoteVerifier();
  if (!log) return null;
  const rows = await db.auditCheckpoint.findMany({
    where: size === undefined ? {} : { size: BigInt(size) },
    orderBy: { size: "desc" },
    take: 20,
    include: { cosignatures: { orderBy: { witness: "asc" } } },
  });
  // Only a note the log's key signed, for the size its row claims (anyone who can insert rows
  // could plant others: one would break every export's proofs).
  const checkpoint = rows.find((row) => signedSize(row.note, log) === Number(row.size));
  if (!checkpoint) return null;
  return {
    size: Number(checkpoint.size),
    note: withCosignatures(checkpoint.note, checkpoint.cosignatures),
    receipt: checkpoint.receipt,
  };
}

function signedSize(note: string, log: NoteVerifier): number | null {
  try {
    const opened = openNote(note, [log]);
    return trustedBy(opened, log) ? parseCheckpoint(opened.text).size : null;
  } catch {
    return null;
  }
}

/**
 * The note with the cosignature lines that verify with a configured witness's key. A stored line
 * that does not (the application role can insert rows) is never passed on: it would make every
 * proof fail an auditor's witness check and blame the witness for a forgery.
 */
export function withCosignatures(note: string, rows: readonly { witness: string; line: string }[]) {
  const body = openNote(note, []).text;
  const witnesses = configuredWitnesses();
  const lines = rows.filter((row) => {
    const witness = witnesses.find((w) => w.name === row.witness);
    return witness !== undefined && cosignatureVerifies(body, row.line, witness.vkey);
  });
  return note + lines.map((row) => row.line).join("");
}

/** Whether a stored cosignature line verifies, with the witness's own key, over a checkpoint body. */
export function cosignatureVerifies(body: string, line: string, vkey: string): boolean {
  const verifier = cosignatureVerifier(vkey);
  try {
    return trustedBy(openNote(`${body}\n${line}`, [verifier]), verifier);
  } catch {
    return false;
  }
}

/** One event as an export line (entry, signature, position), with its proof against a checkpoint. */
export async function eventWithProof(position: number, size?: number): Promise<string | null> {
  const checkpoint = await checkpointNote(size);
  if (!checkpoint || position >= checkpoint.size) return null;
  const row = await db.auditEvent.findUnique({ where: { position } });
  // A row that is not part of the log has no proof to give.
  if (!row || !checkV2Row(row, trustedEventKeys()).ok) return null;
  const proof = formatProof({
    index: position,
    proof: await inclusionProofAt(db, position, checkpoint.size),
    checkpointNote: checkpoint.note,
  });
  return toJsonLine(toExportedEvent(row, proof));
}

export async function consistencyBetween(from: number, to: number) {
  if (from > to) return null;
  const [older, newer] = await Promise.all([checkpointNote(from), checkpointNote(to)]);
  if (!newer || (from > 0 && !older)) return null;
  return {
    from,
    to,
    proof: (await consistencyProofAt(db, from, to)).map((hash) => hash.toString("base64")),
    fromCheckpoint: older?.note ?? null,
    toCheckpoint: newer.note,
  };
}
