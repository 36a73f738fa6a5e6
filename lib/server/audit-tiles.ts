/**
 * The audit Merkle tree's tiles in the database (AuditTile, insert-only), and the readers that
 * answer proofs from them: a proof at any size that was checkpointed reads a handful of tiles in
 * one query, whatever the size of the log.
 *
 * NOTE: not marked "server-only": the audit commands (plain Node) read proofs too.
 */
import type { Prisma, PrismaClient } from "@/generated/prisma/client";
import {
  consistencyProof,
  inclusionProof,
  treeRoot,
  type HashReader,
} from "@/lib/domain/tlog/merkle";
import { tileHashReader, tileKey, type TileCoord, type TileFetcher } from "@/lib/domain/tlog/tiles";

type Client = Pick<PrismaClient, "auditTile"> | Pick<Prisma.TransactionClient, "auditTile">;

export function tileFetcher(client: Client): TileFetcher {
  return async (coords: TileCoord[]) => {
    const rows = await client.auditTile.findMany({
      where: {
        OR: coords.map((c) => ({ level: c.level, index: BigInt(c.index), width: c.width })),
      },
    });
    return new Map(
      rows.map((row) => [
        tileKey({ level: row.level, index: Number(row.index), width: row.width }),
        Buffer.from(row.hashes),
      ]),
    );
  };
}

/** A fetcher that keeps the tiles it read: proofs for neighbouring events share most tiles. */
export function cachingTileFetcher(client: Client): TileFetcher {
  const fetch = tileFetcher(client);
  const cache = new Map<string, Buffer>();
  return async (coords: TileCoord[]) => {
    const missing = coords.filter((coord) => !cache.has(tileKey(coord)));
    if (missing.length > 0)
      for (const [key, hashes] of await fetch(missing)) cache.set(key, hashes);
    return new Map(
      coords.flatMap((c) => (cache.has(tileKey(c)) ? [[tileKey(c), cache.get(tileKey(c))!]] : [])),
    );
  };
}

export function treeReader(client: Client, size: number): HashReader {
  return tileHashReader(size, tileFetcher(client));
}

export const rootAt = (client: Client, size: number) => treeRoot(size, treeReader(client, size));

export const inclusionProofAt = (client: Client, position: number, size: number) =>
  inclusionProof(position, size, treeReader(client, size));

export const consistencyProofAt = (client: Client, oldSize: number, size: number) =>
  consistencyProof(oldSize, size, treeReader(client, size));
