/**
 * The witness's own record of the latest checkpoint it cosigned for each log, kept in one JSON
 * file. Every change is written to a temporary file, flushed and renamed over the old one, so a
 * crash leaves either the old or the new state, never half of one; writes are queued one after
 * another so that none is lost.
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";

export type LogRecord = {
  size: number;
  /** Base64 root hash. */
  root: string;
  /** The checkpoint with the log's verified signature and this witness's cosignature. */
  note: string;
};

export type WitnessState = Record<string, LogRecord>;

export async function loadState(file: string): Promise<WitnessState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${file} is not a witness state file`);
  }
  for (const [origin, record] of Object.entries(parsed as Record<string, LogRecord>)) {
    const ok =
      Number.isSafeInteger(record?.size) &&
      record.size >= 0 &&
      typeof record.root === "string" &&
      typeof record.note === "string";
    if (!ok) throw new Error(`${file}: bad record for ${origin}`);
  }
  return parsed as WitnessState;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The state in memory and on disk; `commit` returns once the new record is on disk. */
export async function openStateStore(file: string) {
  let state = await loadState(file);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get: (origin: string): LogRecord | undefined => state[origin],
    commit(origin: string, record: LogRecord): Promise<void> {
      const write = queue.then(async () => {
        const next = { ...state, [origin]: record };
        await writeAtomically(file, `${JSON.stringify(next, null, 2)}\n`);
        state = next;
      });
      queue = write.catch(() => undefined);
      return write;
    },
  };
}

export type StateStore = Awaited<ReturnType<typeof openStateStore>>;
