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
import { openNote } from "@/lib/domain/tlog/note";

export type StoredCopy = { size: number; note: string };

export type CheckpointStore = {
  newest(): Promise<StoredCopy | null>;
  write(size: number, note: string): Promise<void>;
};

const FILE = /^(\d{12})\.checkpoint$/;
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
      async newest() {
        const response = await fetch(`${base}/latest`, {
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`the checkpoint store answered ${response.status}`);
        const note = await response.text();
        return { size: parseCheckpoint(openNote(note, []).text).size, note };
      },
      async write(size, note) {
        await put(name(size), note);
        await put("latest", note);
      },
    };
  }
  const dir = path.join(location, folder);
  return {
    async newest() {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => FILE.test(n));
      if (names.length === 0) return null;
      const newest = names.sort().at(-1)!;
      return {
        size: Number(FILE.exec(newest)![1]),
        note: await readFile(path.join(dir, newest), "utf8"),
      };
    },
    async write(size, note) {
      await mkdir(dir, { recursive: true });
      const temp = path.join(dir, `.${name(size)}.tmp`);
      await writeFile(temp, note);
      await rename(temp, path.join(dir, name(size)));
    },
  };
}
