/**
 * Audit format v2 (docs/decisions/017-verifiable-audit-log.md): each event is an entry, the
 * canonical JSON of what it says plus an application-made id and the application's clock,
 * signed with Ed25519 under an event key the database never holds. The entry is the Merkle
 * tree's leaf data together with its signature; every searchable column of the row is a copy
 * that a verifier compares with the entry. The bytes are pinned by known answers in
 * audit-entry.test.ts; a change that breaks one is a bug.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson, fixedKeyWriter } from "./canonical-json";
import { rawPublicKey } from "./tlog/note";

export const AUDIT_FORMAT_V2 = 2;

/** What the signature covers before the entry, so an entry signature is never valid as anything else. */
const SIGNING_PREFIX = Buffer.from("audit-event/v2\n", "utf8");

/** Everything a v2 event says: the fields of v1 without its database clock, plus id, time and key. */
export type EntryContent = {
  eventId: string;
  appTime: string;
  keyId: string;
  action: string;
  outcome: string;
  reason: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  subjectUserId: string | null;
  caseId: string | null;
  requestId: string | null;
  ip: string | null;
  data: unknown;
};

export const ENTRY_FIELDS = [
  "eventId",
  "appTime",
  "keyId",
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
] as const satisfies readonly (keyof EntryContent)[];

const writeEntry = fixedKeyWriter(["v", ...ENTRY_FIELDS]);

/** The entry's bytes: canonical JSON of `{v: 2, …the seventeen fields}`, absent ones as null. */
export function entryBytes(content: EntryContent): Buffer {
  return Buffer.from(writeEntry({ ...content, v: AUDIT_FORMAT_V2 }), "utf8");
}

/** A key's id: lowercase hex of the first 8 bytes of SHA-256 of its raw 32-byte Ed25519 public key. */
export function eventKeyId(publicKey: KeyObject): string {
  return createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, 16);
}

export function signEntry(entry: Buffer, privateKey: KeyObject): Buffer {
  return sign(null, Buffer.concat([SIGNING_PREFIX, entry]), privateKey);
}

export function entrySignatureValid(entry: Buffer, signature: Buffer, publicKey: KeyObject) {
  if (signature.length !== 64) return false;
  return verify(null, Buffer.concat([SIGNING_PREFIX, entry]), publicKey, signature);
}

/**
 * The same check as entrySignatureValid, run on libuv's thread pool (Node's asynchronous
 * crypto.verify): the bulk verifiers keep several in flight, so every core checks signatures
 * while the main thread reads and compares rows. Ed25519 verification is their ceiling.
 */
export function entrySignatureValidAsync(
  entry: Buffer,
  signature: Buffer,
  publicKey: KeyObject,
): Promise<boolean> {
  if (signature.length !== 64) return Promise.resolve(false);
  return new Promise((resolve, reject) =>
    verify(null, Buffer.concat([SIGNING_PREFIX, entry]), publicKey, signature, (error, valid) =>
      error ? reject(error) : resolve(valid),
    ),
  );
}

/** The columns of a stored v2 row that copy the entry (createdAt is the database's own clock). */
export type StoredV2Row = Omit<EntryContent, "appTime" | "eventId" | "keyId"> & {
  eventId: string | null;
  keyId: string | null;
  appTime: Date | string | null;
};

/**
 * Reads a signed entry back. Returns the content, or why the bytes are not a v2 entry: the
 * verifier names a row whose entry does not parse, is not canonical, or has other fields.
 */
export function parseEntry(
  entry: Buffer,
): { ok: true; content: EntryContent } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.toString("utf8"));
  } catch {
    return { ok: false, problem: "the entry is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { ok: false, problem: "the entry is not an object" };
  const record = parsed as Record<string, unknown>;
  if (record.v !== AUDIT_FORMAT_V2) return { ok: false, problem: "the entry is not format 2" };
  const keys = Object.keys(record).filter((key) => key !== "v");
  if (keys.length !== ENTRY_FIELDS.length || ENTRY_FIELDS.some((field) => !(field in record)))
    return { ok: false, problem: "the entry does not have exactly the v2 fields" };
  const content = Object.fromEntries(
    ENTRY_FIELDS.map((field) => [field, record[field]]),
  ) as unknown as EntryContent;
  if (!entryBytes(content).equals(entry))
    return { ok: false, problem: "the entry is not in canonical form" };
  return { ok: true, content };
}

/** Which searchable columns of a row disagree with its signed entry (empty when none do). */
export function columnsDisagreeing(content: EntryContent, row: StoredV2Row): string[] {
  const differing: string[] = [];
  for (const field of ENTRY_FIELDS) {
    const stored = field === "appTime" ? isoOrNull(row.appTime) : row[field];
    if (canonicalJson(stored ?? null) !== canonicalJson(content[field] ?? null))
      differing.push(field);
  }
  return differing;
}

/**
 * A stored time as the entry writes it. A time no Date can hold (PostgreSQL's 'infinity', which
 * only someone editing the table can put there) becomes a text no entry has, so the row is
 * named as differing rather than stopping the verifier.
 */
export function isoOrNull(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  return Number.isNaN(value.getTime()) ? "(not a time)" : value.toISOString();
}

/** The public key of a private one, for a verifier that runs where the event key is. */
export function publicOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
