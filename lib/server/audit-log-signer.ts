/**
 * The audit log's signer (docs/decisions/017-verifiable-audit-log.md). One round, run by exactly
 * one instance at a time (a transaction-scoped advisory lock; an instance that does not get it
 * does nothing): verify the events since the latest checkpoint (and only those, plus counts over
 * the whole table), extend the Merkle tree's tiles, sign a C2SP checkpoint of the new size and
 * its check receipt (lib/domain/check-receipt.ts: which positions were checked, which failed),
 * store both in the database and the checkpoint in the checkpoint directory, then, after commit,
 * submit it to the witnesses with a consistency proof from the size each last cosigned, and
 * store their cosignatures.
 *
 * It never signs a smaller size, nor a different root for a size it signed: the old root is
 * recomputed from the stored tiles and compared with the latest checkpoint before growing. It
 * signs up to the first row that is not part of the log, and reports that row.
 *
 * NOTE: not marked "server-only": `npm run audit:checkpoint` runs a round from plain Node.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import type { WitnessConfig } from "@/lib/domain/witness-config";
import { checkV2Row, checkV2Rows, rowLeafHash, type StoredRow } from "@/lib/domain/audit-log-check";
import { formatCheckpoint, parseCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { cosignatureVerifier } from "@/lib/domain/tlog/cosignature";
import {
  ed25519Verify,
  noteKeyId,
  openNote,
  rawPublicKey,
  signNote,
  trustedBy,
  type NoteVerifier,
} from "@/lib/domain/tlog/note";
import { newTiles, TILE_WIDTH, tileKey } from "@/lib/domain/tlog/tiles";
import {
  extendedBack,
  MAX_RECEIPT_FLAGGED,
  nextReceipt,
  openReceipt,
  signReceipt,
} from "@/lib/domain/check-receipt";
import { TileProofs } from "@/lib/domain/tlog/bulk-proofs";
import { auditedTransaction, recordAudit, type Tx } from "./audit";
import { eventSigner } from "./audit-keys";
import { submitToWitness } from "./audit-witness-client";
import { consistencyProofAt, rootAt, tileFetcher } from "./audit-tiles";
import { checkpointStore } from "./checkpoint-store";

export const SIGNER_LOCK = 7_355_610;
const BATCH = 5000;
/**
 * At most this many new events per round: a backlog (after an outage, or a bulk load) is signed
 * over several rounds, each well inside the round's transaction timeout, rather than one round
 * that never finishes. The result says how many are left (`behind`), and the worker goes on.
 */
export const MAX_ROUND_EVENTS = 50_000;

export type SignerConfig = {
  /** The log's name: the checkpoint origin line and the signing key's name. */
  origin: string;
  privateKey: KeyObject;
  eventKeys: ReadonlyMap<string, KeyObject>;
  /** Where a copy of every checkpoint is kept: a directory on another volume, or an HTTP(S) URL. */
  dir?: string;
  witnesses: readonly WitnessConfig[];
};

export type LatestCheckpoint = {
  size: number;
  rootHash: Buffer;
  note: string;
  /** The check receipt stored with it, unchecked (openReceipt decides what it is worth). */
  receipt: string | null;
  createdAt: Date;
};

export type RoundResult =
  | { kind: "not leader" }
  | { kind: "unchanged"; size: number }
  | {
      kind: "signed";
      size: number;
      previousSize: number;
      note: string;
      /** Events beyond this checkpoint left for the next round (MAX_ROUND_EVENTS). */
      behind: number;
      /** A position with no row, where the tree had to stop short of the newest event. */
      stoppedAt: StoppedAt | null;
      /** Rows in the new part of the tree that are not part of the log, named. */
      flagged: StoppedAt[];
      strayRows: number;
      witnesses?: WitnessOutcome[];
    }
  | { kind: "refused"; problem: string };

type Client = Pick<
  PrismaClient,
  "$transaction" | "auditCheckpoint" | "auditCosignature" | "auditTile" | "auditVerification"
>;

/**
 * The latest checkpoint in the database, verified with the log's own key (null if none). Its
 * size and root are read from the signed note, never from the row's columns, which anyone who
 * can write the table could change.
 */
export async function latestCheckpoint(
  client: Pick<PrismaClient, "auditCheckpoint">,
  config: { origin: string; privateKey?: KeyObject; publicKey?: KeyObject },
): Promise<LatestCheckpoint | null> {
  const row = await client.auditCheckpoint.findFirst({ orderBy: { size: "desc" } });
  if (!row) return null;
  const signed = checkOwnNote(row.note, config, Number(row.size));
  return {
    size: signed.size,
    rootHash: signed.rootHash,
    note: row.note,
    receipt: row.receipt,
    createdAt: row.createdAt,
  };
}

/** The log's note verifier: its name is the origin; its key the public half of the checkpoint key. */
export function logVerifier(config: {
  origin: string;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}): NoteVerifier {
  const key = config.publicKey ?? config.privateKey;
  if (!key) throw new Error("a log verifier needs the checkpoint key or its public half");
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return {
    name: config.origin,
    keyId: noteKeyId(config.origin, rawPublicKey(publicKey)),
    verify: (text, signature) => ed25519Verify(publicKey, text, signature),
  };
}

function checkOwnNote(
  note: string,
  config: { origin: string; privateKey?: KeyObject; publicKey?: KeyObject },
  size: number,
) {
  const verifier = logVerifier(config);
  const opened = openNote(note, [verifier]);
  if (!trustedBy(opened, verifier))
    throw new Error(`the stored checkpoint of size ${size} is not signed by this log's key`);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== config.origin || checkpoint.size !== size)
    throw new Error(`the stored checkpoint of size ${size} is for another log or size`);
  return checkpoint;
}

export async function signRound(
  client: Client,
  config: SignerConfig,
  input: {
    force?: boolean;
    due?: (latest: LatestCheckpoint | null, size: number) => boolean;
    /** At most this many new events this round (default MAX_ROUND_EVENTS). */
    maxEvents?: number;
    /** At most this many earlier events checked for the receipt (default MAX_ROUND_EVENTS). */
    backfill?: number;
  } = {},
): Promise<RoundResult> {
  const result = await auditedTransaction(
    client,
    async (tx): Promise<RoundResult> => {
      const [lock] = await tx.$queryRaw<{ leader: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${SIGNER_LOCK}) AS leader`;
      if (!lock?.leader) return { kind: "not leader" };
      const latest = await latestCheckpoint(tx, config);
      const oldSize = latest?.size ?? 0;
      // A refusal is recorded as a signed finding too (once, not at every round).
      const refuse = async (problem: string): Promise<RoundResult> => {
        const gap: StoppedAt = { id: "?", position: String(oldSize), problem };
        await recordIntegrityAlert(tx, config.eventKeys, {
          size: oldSize,
          stoppedAt: gap,
          flagged: [],
          strayRows: 0,
        });
        return { kind: "refused", problem };
      };
      const copy = config.dir
        ? await checkpointStore(config.dir, config.origin).newest(logVerifier(config))
        : null;
      if (copy && copy.size > oldSize)
        return refuse(
          `the checkpoint copy outside the database has size ${copy.size} but the database only ${oldSize}: checkpoints were removed from the database`,
        );
      const [head] = await tx.$queryRaw<{ max: bigint | null }[]>`
        SELECT max("position") AS max FROM "AuditEvent"`;
      const headSize = head?.max == null ? 0 : Number(head.max) + 1;
      if (headSize === oldSize) return { kind: "unchanged", size: oldSize };
      if (headSize < oldSize)
        return refuse(
          `the log has ${headSize} positions but a checkpoint signed ${oldSize}: events were removed`,
        );
      if (!input.force && input.due && !input.due(latest, headSize))
        return { kind: "unchanged", size: oldSize };

      // The tree must still be the one the latest checkpoint signed.
      if (latest) {
        const root = await rootAt(tx, oldSize);
        if (!root.equals(latest.rootHash))
          return refuse(
            `the stored tree no longer has the root checkpoint ${oldSize} signed: tiles were altered`,
          );
      }

      const target = Math.min(headSize, oldSize + (input.maxEvents ?? MAX_ROUND_EVENTS));
      const { leaves, flagged, stoppedAt } = await readNewLeaves(
        tx,
        config.eventKeys,
        oldSize,
        target,
      );
      const newSize = oldSize + leaves.length;
      const strayRows = await countStrayRows(tx, newSize);
      if (newSize === oldSize) {
        await recordIntegrityAlert(tx, config.eventKeys, {
          size: oldSize,
          stoppedAt,
          flagged,
          strayRows,
        });
        return stoppedAt
          ? { kind: "refused", problem: `position ${stoppedAt.position}: ${stoppedAt.problem}` }
          : { kind: "unchanged", size: oldSize };
      }

      const tiles = await newTiles(oldSize, newSize, tileFetcher(tx), leaves);
      const existing = await tileFetcher(tx)(tiles.map((tile) => tile.coord));
      const fresh = [];
      for (const tile of tiles) {
        const stored = existing.get(tileKey(tile.coord));
        if (!stored) fresh.push(tile);
        else if (!stored.equals(tile.hashes))
          return refuse(
            `a tile was stored in advance with other hashes (level ${tile.coord.level}, index ${tile.coord.index})`,
          );
      }
      await tx.auditTile.createMany({
        data: fresh.map(({ coord, hashes }) => ({
          level: coord.level,
          index: BigInt(coord.index),
          width: coord.width,
          hashes: new Uint8Array(hashes),
        })),
      });
      const rootHash = await rootAt(tx, newSize);
      const body = formatCheckpoint({ origin: config.origin, size: newSize, rootHash });
      const note = signNote(body, config.origin, config.privateKey);
      let receipt = nextReceipt(latest ? openReceipt(latest.receipt, config.eventKeys) : null, {
        previousSize: oldSize,
        previousRoot: latest?.rootHash ?? null,
        size: newSize,
        root: rootHash,
        flagged: flagged.map((row) => Number(row.position)),
      });
      // A log checkpointed before receipts: each round checks a stretch further back, so the
      // receipt comes to cover the whole log.
      let reachedBack: StoppedAt[] = [];
      if (receipt && receipt.from > 0) {
        const back = await checkBack(tx, config.eventKeys, {
          to: receipt.from,
          budget: input.backfill ?? MAX_ROUND_EVENTS,
          room: MAX_RECEIPT_FLAGGED - receipt.flagged.length,
          size: newSize,
          root: rootHash,
        });
        reachedBack = back.failed;
        receipt =
          extendedBack(receipt, {
            from: back.from,
            flagged: back.failed.map((row) => Number(row.position)),
          }) ?? receipt;
      }
      await tx.auditCheckpoint.create({
        data: {
          size: BigInt(newSize),
          rootHash: new Uint8Array(rootHash),
          note,
          receipt: receipt ? signReceipt(receipt, eventSigner()) : null,
        },
      });
      // What reaching back found is news too: rows changed under an earlier checkpoint.
      const found = [...reachedBack, ...flagged];
      await recordIntegrityAlert(tx, config.eventKeys, {
        size: newSize,
        stoppedAt,
        flagged: found,
        strayRows,
      });
      return {
        kind: "signed",
        size: newSize,
        previousSize: oldSize,
        behind: stoppedAt ? 0 : headSize - newSize,
        note,
        stoppedAt,
        flagged: found,
        strayRows,
      };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  if (result.kind !== "signed") return result;
  // The copy outside the database is written after the commit: a copy newer than the database
  // then only ever means the database lost checkpoints. A copy that lags is caught up next time.
  if (config.dir) await checkpointStore(config.dir, config.origin).write(result.size, result.note);
  return {
    ...result,
    witnesses: await submitToWitnesses(client, config, result.size, result.note),
  };
}

export type StoppedAt = { id: string; position: string; problem: string };

/**
 * The leaf hashes of the rows at positions from … to − 1, in position order, each checked. A row
 * that is not part of the log still goes into the tree as it stands (rowLeafHash) and is named in
 * `flagged`: a row planted at the next position must not stop every later event from being
 * checkpointed. Only a position with no row at all (a deletion) stops the reading there.
 */
export async function readNewLeaves(
  tx: Pick<PrismaClient, "auditEvent">,
  keys: ReadonlyMap<string, KeyObject>,
  from: number,
  to: number,
): Promise<{ leaves: Buffer[]; flagged: StoppedAt[]; stoppedAt: StoppedAt | null }> {
  const leaves: Buffer[] = [];
  const flagged: StoppedAt[] = [];
  for (let batch = from; batch < to; batch += BATCH) {
    const end = Math.min(batch + BATCH, to);
    const rows: StoredRow[] = await tx.auditEvent.findMany({
      where: { position: { gte: batch, lt: end } },
      orderBy: { position: "asc" },
    });
    // Signatures on every core (checkV2Rows gives checkV2Row's answer for each row).
    const checks = await checkV2Rows(rows, keys);
    for (let position = batch; position < end; position++) {
      const row = rows[position - batch];
      if (!row || row.position !== BigInt(position))
        return {
          leaves,
          flagged,
          stoppedAt: {
            id: "?",
            position: String(position),
            problem: `no row holds position ${position}: an event was removed`,
          },
        };
      const check = checks[position - batch]!;
      if (!check.ok)
        flagged.push({ id: row.id.toString(), position: String(position), problem: check.problem });
      leaves.push(check.ok ? check.leafHash : rowLeafHash(row));
    }
  }
  return { leaves, flagged, stoppedAt: null };
}

/**
 * For the receipt of the tree of `size` with `root`, reaching back from `to`: the positions below
 * it, a tile at a time downwards, at most `budget` of them, whose row fails the check, is missing,
 * or is not the tree's leaf there (the stored tile holding it must lead up to `root`, which the
 * round's root check does not show for every leaf tile: TileProofs.holds). It stops before a tile
 * whose failures would not fit the receipt (`room`), so the receipt reaches as far back as it can
 * and a log with too many failures costs a round one tile more, not a whole stretch again.
 */
async function checkBack(
  tx: Pick<PrismaClient, "auditEvent" | "auditTile">,
  keys: ReadonlyMap<string, KeyObject>,
  input: { to: number; budget: number; room: number; size: number; root: Buffer },
): Promise<{ from: number; failed: StoppedAt[] }> {
  const failed: StoppedAt[] = [];
  const tiles = new TileProofs(input.size, tileFetcher(tx));
  const lowest = Math.max(0, input.to - input.budget);
  let from = input.to;
  while (from > lowest) {
    const start = Math.max(lowest, (Math.ceil(from / TILE_WIDTH) - 1) * TILE_WIDTH);
    const found = await checkStretch(tx, keys, tiles, { start, end: from, root: input.root });
    if (failed.length + found.length > input.room) break;
    failed.unshift(...found);
    from = start;
  }
  return { from, failed };
}

/** checkBack's check of the positions start … end − 1, all in one tile. */
async function checkStretch(
  tx: Pick<PrismaClient, "auditEvent">,
  keys: ReadonlyMap<string, KeyObject>,
  tiles: TileProofs,
  { start, end, root }: { start: number; end: number; root: Buffer },
): Promise<StoppedAt[]> {
  const positions = Array.from({ length: end - start }, (_, i) => start + i);
  const under = "under an earlier checkpoint";
  try {
    await tiles.prepare(positions);
  } catch {
    // A tile missing or cut short (only the owner can): none of these is shown to be the tree's.
    return positions.map((position) => ({
      id: "?",
      position: String(position),
      problem: `its stored tile is missing or damaged, ${under}`,
    }));
  }
  const rows: StoredRow[] = await tx.auditEvent.findMany({
    where: { position: { gte: start, lt: end } },
    orderBy: { position: "asc" },
  });
  const checks = await checkV2Rows(rows, keys);
  const byPosition = new Map(
    rows.map((row, i) => [Number(row.position), { row, check: checks[i]! }]),
  );
  const failed: StoppedAt[] = [];
  for (const position of positions) {
    const found = byPosition.get(position);
    if (!found) {
      failed.push({ id: "?", position: String(position), problem: `no row holds it, ${under}` });
      continue;
    }
    const { row, check } = found;
    const problem = !check.ok
      ? `${check.problem}, ${under}`
      : !tiles.holds(position, check.leafHash, root)
        ? `the row is not the one the tree holds there (changed since), ${under}`
        : null;
    if (problem) failed.push({ id: row.id.toString(), position: String(position), problem });
  }
  return failed;
}

/** Rows outside the tree that no position accounts for: v1 rows beyond the sealed ones, unknown formats. */
export async function countStrayRows(
  tx: Pick<PrismaClient, "$queryRaw">,
  size: number,
): Promise<number> {
  const [counts] = await tx.$queryRaw<{ v1: bigint; sealed: bigint | null; other: bigint }[]>`
    SELECT count(*) FILTER (WHERE "formatVersion" = 1) AS v1,
      (SELECT (data->>'v1Rows')::bigint FROM "AuditEvent" WHERE action = 'audit.format_changed'
        AND "formatVersion" = 2 AND "position" < ${size} ORDER BY "position" LIMIT 1) AS sealed,
      count(*) FILTER (WHERE "formatVersion" <> 1 AND ("formatVersion" <> 2 OR "position" IS NULL)) AS other
    FROM "AuditEvent"`;
  if (!counts) return 0;
  return Number(counts.v1 - (counts.sealed ?? 0n)) + Number(counts.other);
}

/**
 * What the round found that is not part of the log, as a signed audit event (so a planted row in
 * a results table cannot pass for a clean bill): flagged rows and a missing position each time a
 * round meets them, rows outside the log whenever their number changes.
 */
async function recordIntegrityAlert(
  tx: Tx,
  keys: ReadonlyMap<string, KeyObject>,
  input: { size: number; stoppedAt: StoppedAt | null; flagged: StoppedAt[]; strayRows: number },
) {
  // What was said before: the newest alert that is part of the log (a planted one says nothing).
  const alerts: StoredRow[] = await tx.auditEvent.findMany({
    where: { action: "audit.integrity_alert", formatVersion: 2 },
    orderBy: { position: "desc" },
    take: 20,
  });
  const last = alerts.find((alert) => checkV2Row(alert, keys).ok);
  const previous = last?.data as { strayRows?: number; gap?: string | null } | null;
  const describe = (row: StoppedAt) =>
    `position ${row.position}${row.id === "?" ? "" : ` (row ${row.id})`}: ${row.problem}`;
  const gap = input.stoppedAt ? describe(input.stoppedAt).slice(0, 300) : null;
  // Flagged rows are new at each round that meets them; a gap or a refusal that persists, and an
  // unchanged count of rows outside the log, were said already.
  if (
    input.flagged.length === 0 &&
    (gap === null || gap === (previous?.gap ?? null)) &&
    input.strayRows === (previous?.strayRows ?? 0)
  )
    return;
  await recordAudit(tx, {
    action: "audit.integrity_alert",
    outcome: "REFUSED",
    reason: "NOT_PART_OF_THE_LOG",
    actor: { type: "SYSTEM", name: "audit signer" },
    data: {
      checkpointSize: input.size,
      flagged: input.flagged.slice(0, 20).map(describe),
      flaggedCount: input.flagged.length,
      gap,
      strayRows: input.strayRows,
    },
  });
}

export type WitnessOutcome =
  | { witness: string; kind: "cosigned"; size: number }
  | { witness: string; kind: "failed"; problem: string };

/**
 * Sends the checkpoint of `size` to every witness with a consistency proof from the size that
 * witness last cosigned. A witness that says it is at another size gets one retry from there.
 */
export async function submitToWitnesses(
  client: Pick<PrismaClient, "auditCosignature" | "auditCheckpoint" | "auditTile">,
  config: Pick<SignerConfig, "witnesses" | "origin">,
  size: number,
  note: string,
): Promise<WitnessOutcome[]> {
  const body = openNote(note, []).text;
  return Promise.all(
    config.witnesses.map(async (witness): Promise<WitnessOutcome> => {
      try {
        const last = await client.auditCosignature.findFirst({
          where: { witness: witness.name },
          orderBy: { size: "desc" },
        });
        let oldSize = last ? Number(last.size) : 0;
        for (let attempt = 0; attempt < 2; attempt++) {
          if (oldSize > size)
            return { witness: witness.name, kind: "failed", problem: `it is ahead, at ${oldSize}` };
          const proof = oldSize === 0 ? [] : await consistencyProofAt(client, oldSize, size);
          const answer = await submitToWitness({
            url: witness.url,
            oldSize,
            proof,
            signedNote: note,
          });
          if (answer.kind === "cosigned") {
            const verifier = cosignatureVerifier(witness.vkey);
            const opened = openNote(`${body}\n${answer.lines.join("")}`, [verifier]);
            if (!trustedBy(opened, verifier))
              return {
                witness: witness.name,
                kind: "failed",
                problem: "its cosignature does not verify",
              };
            await client.auditCosignature.create({
              data: { size: BigInt(size), witness: witness.name, line: answer.lines.join("") },
            });
            return { witness: witness.name, kind: "cosigned", size };
          }
          if (answer.kind === "conflict") {
            const known = await client.auditCheckpoint.findUnique({
              where: { size: BigInt(answer.size) },
            });
            if (!known)
              return {
                witness: witness.name,
                kind: "failed",
                problem: `it has cosigned size ${answer.size}, which this log never signed: it saw another tree`,
              };
            oldSize = answer.size;
            continue;
          }
          return {
            witness: witness.name,
            kind: "failed",
            problem: `refused (${answer.status}): ${answer.message}`,
          };
        }
        return { witness: witness.name, kind: "failed", problem: "it kept answering another size" };
      } catch (error) {
        return { witness: witness.name, kind: "failed", problem: String(error) };
      }
    }),
  );
}
