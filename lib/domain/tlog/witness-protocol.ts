/**
 * The body of a C2SP tlog-witness `add-checkpoint` request (docs/tlog.md): `old <size>`, up to 63
 * base64 consistency proof lines, a blank line, then the signed checkpoint. Shared by the
 * console's witness client and the witness service.
 */
import { parseDecimal } from "./checkpoint";
import { HASH_SIZE } from "./merkle";
import { decodeBase64, NoteError } from "./note";

export const MAX_CONSISTENCY_LINES = 63;

/** The Content-Type of a 409 answer, whose body is the witness's size and a newline. */
export const SIZE_CONTENT_TYPE = "text/x.tlog.size";

export type AddCheckpointRequest = { oldSize: number; proof: Buffer[]; note: string };

export function formatAddCheckpoint({ oldSize, proof, note }: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new NoteError(`bad old size ${oldSize}`);
  if (proof.length > MAX_CONSISTENCY_LINES || proof.some((h) => h.length !== HASH_SIZE)) {
    throw new NoteError("bad consistency proof");
  }
  return [`old ${oldSize}`, ...proof.map((h) => h.toString("base64")), "", note].join("\n");
}

/** Parses a request body; throws NoteError (answered with 400). The note is not checked here. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const blank = body.indexOf("\n\n");
  if (blank < 0) throw new NoteError("a request needs a blank line before the checkpoint");
  const [oldLine, ...proofLines] = body.slice(0, blank).split("\n");
  const oldSize = oldLine?.startsWith("old ") ? parseDecimal(oldLine.slice(4)) : null;
  if (oldSize === null) throw new NoteError("bad old size line");
  if (proofLines.length > MAX_CONSISTENCY_LINES) throw new NoteError("too many proof lines");
  const proof = proofLines.map((line) => {
    const hash = decodeBase64(line);
    if (!hash || hash.length !== HASH_SIZE) throw new NoteError("bad consistency proof line");
    return hash;
  });
  return { oldSize, proof, note: body.slice(blank + 2) };
}
