/**
 * The copy of the audit log's checkpoints kept outside the database (AUDIT_CHECKPOINT_DIR,
 * docs/decisions/017): a directory, ideally on another volume, or an HTTP(S) location that takes
 * PUT and answers GET (a WebDAV share, an object store behind a signed URL prefix, a small file
 * server on another host). Each log has its own folder, named after its origin; each checkpoint is
 * `<size, 12 digits>.checkpoint`, and over HTTP `latest` names the newest. Whoever reads the copy
 * trusts only what the log's key signed.
 *
 * NOTE: not marked "server-only": the audit commands (plain Node) read the copy too.
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { openNote, trustedBy, type NoteVerifier } from "@/lib/domain/tlog/note";

export type StoredCopy = { size: number; note: string };

export type CheckpointStore = {
  /** The newest copy signed by the log's key; copies that are not are passed over. */
  newest(log: NoteVerifier): Promise<StoredCopy | null>;
  write(size: number, note: string): Promise<void>;
};

const FILE = /^(\d{12})\.checkpoint$/;

/** A copy signed by the log's key, with the size it signed; null for anything else. */
function signedCopy(note: string, log: NoteVerifier): StoredCopy | null {
  try {
    const opened = openNote(note, [log]);
    if (!trustedBy(opened, log)) return null;
    const checkpoint = parseCheckpoint(opened.text);
    return checkpoint.origin === log.name ? { size: checkpoint.size, note } : null;
  } catch {
    return null;
  }
}
const HTTP_TIMEOUT_MS = 10_000;

export function checkpointStore(location: string, origin: string): CheckpointStore {
  const folder = origin.replace(/[^A-Za-z0-9.-]/g, "_");
  const name = (size: number) => `${String(size).padStart(12, "0")}.checkpoint`;
  if (/^https?:\/\//.test(location)) {
    const base = `${location.replace(/\/+$/, "")}/${folder}`;
    const put = async (file: string, note: string) => {
      const response = await fetch(`${base}/${file}`, {
        method: "PUT",
        body: note,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`the checkpoint store answered ${response.status}`);
    };
    return {
      async newest(log) {
        const response = await fetch(`${base}/latest`, {
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`the checkpoint store answered ${response.status}`);
        return signedCopy(await response.text(), log);
      },
      async write(size, note) {
        await put(name(size), note);
        await put("latest", note);
      },
    };
  }
  const dir = path.join(location, folder);
  return {
    async newest(log) {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => FILE.test(n));
      for (const name of names.sort().reverse()) {
        const copy = signedCopy(await readFile(path.join(dir, name), "utf8"), log);
        if (copy && copy.size === Number(FILE.exec(name)![1])) return copy;
      }
      return null;
    },
    async write(size, note) {
      await mkdir(dir, { recursive: true });
      const temp = path.join(dir, `.${name(size)}.tmp`);
      await writeFile(temp, note);
      await rename(temp, path.join(dir, name(size)));
    },
  };
}
