/**
 * C2SP tlog-checkpoint bodies (docs/tlog.md): the note text a log signs for a tree head. Origin
 * line, tree size in decimal (no leading zeros), base64 root hash, optional extension lines, each
 * ending in a newline.
 */
import { HASH_SIZE } from "./merkle";
import { decodeBase64, NoteError } from "./note";

export type Checkpoint = {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions: string[];
};

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A decimal without leading zeros that fits a safe integer, or null. */
export function parseDecimal(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function hasControlOrNewline(line: string): boolean {
  return /[\u0000-\u001f]/.test(line);
}

/** The checkpoint's note text. Our own origins are schema-less URLs: no spaces, no plus. */
export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (!origin || hasControlOrNewline(origin) || /[\s\u0085+]/u.test(origin)) {
    throw new NoteError(`bad origin ${JSON.stringify(origin)}`);
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new NoteError(`bad tree size ${size}`);
  if (rootHash.length !== HASH_SIZE) throw new NoteError("a root hash is 32 bytes");
  for (const line of extensions) {
    if (!line || hasControlOrNewline(line)) throw new NoteError("bad extension line");
  }
  const root = Buffer.from(rootHash).toString("base64");
  return [origin, String(size), root, ...extensions].map((line) => `${line}\n`).join("");
}

/**
 * Parses a checkpoint's note text (not the signed note: see openNote). Throws NoteError. The
 * origin only has to be non-empty: clients must not assume more of other logs' origins.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) throw new NoteError("a checkpoint must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new NoteError("a checkpoint has at least three lines");
  if (lines.some((line) => line === "" || hasControlOrNewline(line))) {
    throw new NoteError("a checkpoint's lines must be non-empty text");
  }
  const [origin, sizeLine, rootLine, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  const size = parseDecimal(sizeLine);
  if (size === null) throw new NoteError("bad tree size line");
  const rootHash = decodeBase64(rootLine);
  if (!rootHash || rootHash.length !== HASH_SIZE) throw new NoteError("bad root hash line");
  return { origin, size, rootHash, extensions };
}
