import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  columnsDisagreeing,
  entryBytes,
  entrySignatureValid,
  eventKeyId,
  parseEntry,
  signEntry,
  type EntryContent,
} from "./audit-entry";
import { canonicalJson } from "./canonical-json";
import {
  checkV2Row,
  checkV2Rows,
  CLOCK_TOLERANCE_MS,
  type RowCheck,
  type StoredRow,
} from "./audit-log-check";
import { eventLeafHash } from "./tlog/proof";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const keyId = eventKeyId(publicKey);
const keys = new Map([[keyId, publicKey]]);

/** checkV2Row as it was before the bulk paths: every entry parsed, every column compared. */
function reference(row: StoredRow): RowCheck {
  if (row.formatVersion !== 2)
    return { ok: false, problem: `format version ${row.formatVersion} is not 2` };
  if (row.position === null) return { ok: false, problem: "no position in the log" };
  if (!row.entry || !row.signature) return { ok: false, problem: "no signed entry" };
  const entry = Buffer.from(row.entry);
  const signature = Buffer.from(row.signature);
  const key = row.keyId === null ? undefined : keys.get(row.keyId);
  if (!key) return { ok: false, problem: `signed by an unknown key (${row.keyId ?? "none"})` };
  if (!entrySignatureValid(entry, signature, key))
    return { ok: false, problem: "the signature does not match the entry" };
  const parsed = parseEntry(entry);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const differing = columnsDisagreeing(parsed.content, row);
  if (differing.length > 0)
    return { ok: false, problem: `columns differ from the signed entry: ${differing.join(", ")}` };
  if (parsed.content.keyId !== row.keyId)
    return { ok: false, problem: "signed under another key id than the row says" };
  const skew = Math.abs(row.createdAt.getTime() - Date.parse(parsed.content.appTime));
  if (!(skew <= CLOCK_TOLERANCE_MS))
    return {
      ok: false,
      problem: `written at ${row.createdAt.toISOString()} by the database but signed at ${parsed.content.appTime}`,
    };
  return { ok: true, leafHash: eventLeafHash(signature, entry) };
}

const text = fc.oneof(fc.string(), fc.constantFrom("", "é", "😀", "\ud800", '"\\\n'));
const nullable = fc.option(text, { nil: null });
const content = fc.record<EntryContent>({
  eventId: fc.uuid(),
  appTime: fc
    .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
    .map((ms) => new Date(ms).toISOString()),
  keyId: fc.constant(keyId),
  action: text,
  outcome: fc.constantFrom("ALLOWED", "REFUSED"),
  reason: nullable,
  actorType: text,
  actorId: fc.option(fc.uuid(), { nil: null }),
  actorName: text,
  actorRole: nullable,
  targetType: nullable,
  targetId: nullable,
  subjectUserId: fc.option(fc.uuid(), { nil: null }),
  caseId: fc.option(fc.uuid(), { nil: null }),
  requestId: nullable,
  ip: nullable,
  data: fc.jsonValue(),
});

type Mutation = (row: StoredRow & Record<string, unknown>) => void;
const COLUMNS = ["action", "actorName", "reason", "ip", "eventId", "keyId", "data"] as const;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>(() => {}),
  fc.constant<Mutation>(() => {}),
  fc.constantFrom(...COLUMNS).map<Mutation>((column) => (row) => {
    (row as Record<string, unknown>)[column] =
      column === "data" ? { changed: true } : `${String(row[column])}x`;
  }),
  fc.constant<Mutation>((row) => (row.appTime = new Date(Date.UTC(2019, 0, 1)))),
  fc.constant<Mutation>((row) => (row.createdAt = new Date(row.createdAt.getTime() + 6 * 60_000))),
  fc.constant<Mutation>((row) => (row.position = null)),
  fc.constant<Mutation>((row) => (row.formatVersion = 3)),
  fc.constant<Mutation>((row) => (row.signature = Buffer.alloc(64, 1))),
  fc.constant<Mutation>((row) => (row.keyId = "0000000000000000")),
  // Bytes the signer signed that are not the canonical entry (spaces, reordered, extra field).
  fc
    .constantFrom<"spaced" | "reordered" | "extra" | "not json">(
      "spaced",
      "reordered",
      "extra",
      "not json",
    )
    .map<Mutation>((kind) => (row) => {
      const parsed = JSON.parse(Buffer.from(row.entry!).toString("utf8")) as Record<
        string,
        unknown
      >;
      const text =
        kind === "spaced"
          ? JSON.stringify(parsed, null, 1)
          : kind === "reordered"
            ? JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()))
            : kind === "extra"
              ? canonicalJson({ ...parsed, extra: 1 })
              : "{not json";
      row.entry = Buffer.from(text, "utf8");
      row.signature = signEntry(row.entry as Buffer, privateKey);
    }),
);

function rowOf(entryContent: EntryContent, position: number): StoredRow & Record<string, unknown> {
  const entry = entryBytes(entryContent);
  return {
    ...entryContent,
    id: BigInt(position + 1),
    formatVersion: 2,
    position: BigInt(position),
    createdAt: new Date(Date.parse(entryContent.appTime) + 1000),
    appTime: new Date(entryContent.appTime),
    entry,
    signature: signEntry(entry, privateKey),
  };
}

describe("the row checks", () => {
  it("name what the full parse and column comparison named, for every row, one by one or in bulk", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(content, mutation), { minLength: 1, maxLength: 12 }),
        async (cases) => {
          const rows = cases.map(([entryContent, mutate], i) => {
            const row = rowOf(entryContent, i);
            mutate(row);
            return row;
          });
          const expected = rows.map(reference);
          expect(rows.map((row) => checkV2Row(row, keys))).toEqual(expected);
          expect(await checkV2Rows(rows, keys, { window: 3 })).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps no more than its window of signatures in flight, and keeps the rows' order", async () => {
    const rows = Array.from({ length: 40 }, (_, i) =>
      rowOf(
        {
          eventId: crypto.randomUUID(),
          appTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          keyId,
          action: "access.denied",
          outcome: "REFUSED",
          reason: "FORBIDDEN",
          actorType: "SYSTEM",
          actorId: null,
          actorName: `n${i}`,
          actorRole: null,
          targetType: null,
          targetId: null,
          subjectUserId: null,
          caseId: null,
          requestId: null,
          ip: null,
          data: { i },
        },
        i,
      ),
    );
    rows[7]!.signature = Buffer.alloc(64);
    const checks = await checkV2Rows(rows, keys, { window: 4 });
    expect(checks.map((check) => check.ok)).toEqual(rows.map((_, i) => i !== 7));
    expect(checks.map((check) => (check.ok ? check.leafHash : null))).toEqual(
      rows.map((row, i) =>
        i === 7 ? null : eventLeafHash(row.signature as Buffer, row.entry as Buffer),
      ),
    );
  });
});
