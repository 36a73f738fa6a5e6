/**
 * A C2SP tlog-witness (docs/tlog.md): checks a log's new checkpoint against the last one it
 * cosigned for that log and, when the tree only grew, cosigns it. Plain Node, no Next: it runs as
 * its own service (scripts/audit-witness.ts). Requests for one origin run one after another, so
 * the check of the old size and the write of the new one cannot interleave.
 */
import { createHash, type KeyObject } from "node:crypto";
import { parseCheckpoint, type Checkpoint } from "../domain/tlog/checkpoint";
import { cosign } from "../domain/tlog/cosignature";
import { EMPTY_ROOT, verifyConsistency } from "../domain/tlog/merkle";
import {
  noteVerifier,
  openNote,
  signatureLine,
  splitNote,
  trustedBy,
  type NoteVerifier,
} from "../domain/tlog/note";
import { parseAddCheckpoint, SIZE_CONTENT_TYPE } from "../domain/tlog/witness-protocol";
import type { StateStore } from "./state";

export type WitnessLog = { origin: string; vkey: string };

export type WitnessReply = { status: number; contentType: string; body: string };

const TEXT = "text/plain; charset=utf-8";
const reply = (status: number, message: string): WitnessReply => ({
  status,
  contentType: TEXT,
  body: `${message}\n`,
});

function serializer() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

export function originHash(origin: string): string {
  return createHash("sha256").update(origin, "utf8").digest("hex");
}

export function createWitness(options: {
  name: string;
  key: KeyObject;
  logs: readonly WitnessLog[];
  store: StateStore;
  now?: () => number;
}) {
  const { name, key, store } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const logs = new Map<string, NoteVerifier>(
    options.logs.map((l) => [l.origin, noteVerifier(l.vkey)]),
  );
  const byHash = new Map(options.logs.map((l) => [originHash(l.origin), l.origin]));
  const oneAtATime = serializer();

  /** Checks against the stored state and cosigns; runs alone for its origin. */
  async function advance(
    checkpoint: Checkpoint,
    body: string,
    oldSize: number,
    proof: Buffer[],
    logLines: string,
  ): Promise<WitnessReply> {
    const stored = store.get(checkpoint.origin);
    const storedSize = stored?.size ?? 0;
    if (oldSize !== storedSize) {
      return { status: 409, contentType: SIZE_CONTENT_TYPE, body: `${storedSize}\n` };
    }
    if (oldSize === 0 && proof.length > 0) return reply(422, "a proof from size 0 must be empty");
    const storedRoot = stored ? Buffer.from(stored.root, "base64") : EMPTY_ROOT;
    if (!verifyConsistency(oldSize, checkpoint.size, proof, storedRoot, checkpoint.rootHash)) {
      return reply(422, "the checkpoint is not consistent with the one last cosigned");
    }
    const line = cosign(body, name, key, now());
    await store.commit(checkpoint.origin, {
      size: checkpoint.size,
      root: checkpoint.rootHash.toString("base64"),
      note: `${body}\n${logLines}${line}`,
    });
    return { status: 200, contentType: TEXT, body: line };
  }

  async function addCheckpoint(requestBody: string): Promise<WitnessReply> {
    let request, checkpoint, text;
    try {
      request = parseAddCheckpoint(requestBody);
      text = splitNote(request.note).text;
      checkpoint = parseCheckpoint(text);
    } catch (error) {
      return reply(400, (error as Error).message);
    }
    const log = logs.get(checkpoint.origin);
    if (!log) return reply(404, "unknown log");
    const opened = openNote(request.note, [log]);
    if (!trustedBy(opened, log)) return reply(403, "the checkpoint is not signed by the log's key");
    if (request.oldSize > checkpoint.size)
      return reply(400, "the old size exceeds the checkpoint's");
    if (checkpoint.size === 0 && !checkpoint.rootHash.equals(EMPTY_ROOT)) {
      return reply(422, "an empty tree has the empty root");
    }
    const logLines = opened.signatures
      .filter((s) => s.known && s.verified)
      .map((s) => signatureLine(s.name, s.keyId, s.signature))
      .join("");
    const { oldSize, proof } = request;
    return oneAtATime(checkpoint.origin, () => advance(checkpoint, text, oldSize, proof, logLines));
  }

  /** The latest cosigned checkpoint for the log whose origin hashes to `hash` (monitoring). */
  function latest(hash: string): string | null {
    const origin = byHash.get(hash);
    return (origin && store.get(origin)?.note) || null;
  }

  return { addCheckpoint, latest };
}

export type Witness = ReturnType<typeof createWitness>;
