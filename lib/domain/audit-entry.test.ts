/**
 * Known answers for audit format v2 (docs/decisions/017): the entry bytes, the key id, the
 * signature and the Merkle leaf hash for one fixed event under a fixed key. These literals never
 * change; a change that breaks one is a bug. Each is also recomputed here without the module
 * (plain node:crypto over the bytes the decision specifies).
 */
import { createHash, createPublicKey, verify } from "node:crypto";
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
import { eventLeafHash } from "./tlog/proof";
import { keyFromSeed } from "./tlog/test-keys";

const key = keyFromSeed(Buffer.alloc(32, 7));
const content: EntryContent = {
  eventId: "0b7f4a4e-5f0e-4c59-9d1e-2f3a4b5c6d7e",
  appTime: "2026-11-24T10:00:00.000Z",
  keyId: "fe812c12f3ab4ce6",
  action: "approval.approved",
  outcome: "ALLOWED",
  reason: null,
  actorType: "STAFF",
  actorId: "5d0c3c1e-8a51-4bb5-9a3e-0f2a1b2c3d4e",
  actorName: "Grace Okafor",
  actorRole: "SUPERVISOR",
  targetType: "Approval",
  targetId: "a1",
  subjectUserId: null,
  caseId: null,
  requestId: "req-1",
  ip: "198.51.100.7",
  data: { z: 1, a: "é\n" },
};

const ENTRY =
  '{"action":"approval.approved","actorId":"5d0c3c1e-8a51-4bb5-9a3e-0f2a1b2c3d4e","actorName":"Grace Okafor","actorRole":"SUPERVISOR","actorType":"STAFF","appTime":"2026-11-24T10:00:00.000Z","caseId":null,"data":{"a":"é\\n","z":1},"eventId":"0b7f4a4e-5f0e-4c59-9d1e-2f3a4b5c6d7e","ip":"198.51.100.7","keyId":"fe812c12f3ab4ce6","outcome":"ALLOWED","reason":null,"requestId":"req-1","subjectUserId":null,"targetId":"a1","targetType":"Approval","v":2}';
const SIGNATURE =
  "IHqTf/870fejSNVrlR2W/iZkRbY2jZ1AgV3hGY1wlhgkkmYfxqXL87grLcoC+dBbX1x/kHLSPMw6uaaaFPQ6DA==";
const LEAF = "e4660059773b9601a75e232768afee87c723eb0934bed8d913cc1ccf0a230e62";

describe("audit format v2, known answers", () => {
  it("the key id is the first 8 bytes of SHA-256 of the raw public key", () => {
    const raw = Buffer.from(createPublicKey(key).export({ format: "jwk" }).x!, "base64url");
    expect(createHash("sha256").update(raw).digest("hex").slice(0, 16)).toBe(content.keyId);
    expect(eventKeyId(createPublicKey(key))).toBe(content.keyId);
  });

  it("the entry is the canonical JSON of v and the seventeen fields, in UTF-8", () => {
    expect(entryBytes(content).toString("utf8")).toBe(ENTRY);
    expect(entryBytes(content).equals(Buffer.from(ENTRY, "utf8"))).toBe(true);
  });

  it("the signature is Ed25519 over 'audit-event/v2\\n' and the entry", () => {
    const signature = signEntry(Buffer.from(ENTRY), key);
    expect(signature.toString("base64")).toBe(SIGNATURE);
    const message = Buffer.concat([Buffer.from("audit-event/v2\n"), Buffer.from(ENTRY)]);
    expect(verify(null, message, createPublicKey(key), Buffer.from(SIGNATURE, "base64"))).toBe(
      true,
    );
    // Not valid for the bare entry: the prefix keeps a signature from meaning anything else.
    expect(verify(null, Buffer.from(ENTRY), createPublicKey(key), signature)).toBe(false);
  });

  it("the Merkle leaf is SHA-256 of 0x00, the signature and the entry", () => {
    const signature = Buffer.from(SIGNATURE, "base64");
    const expected = createHash("sha256")
      .update(Buffer.of(0))
      .update(signature)
      .update(ENTRY)
      .digest("hex");
    expect(expected).toBe(LEAF);
    expect(eventLeafHash(signature, Buffer.from(ENTRY)).toString("hex")).toBe(LEAF);
  });
});

describe("reading an entry back", () => {
  const entry = Buffer.from(ENTRY);
  const signature = Buffer.from(SIGNATURE, "base64");

  it("verifies only the exact bytes under the right key", () => {
    expect(entrySignatureValid(entry, signature, createPublicKey(key))).toBe(true);
    const flipped = Buffer.from(entry);
    flipped[10] = flipped[10]! ^ 1;
    expect(entrySignatureValid(flipped, signature, createPublicKey(key))).toBe(false);
    const other = createPublicKey(keyFromSeed(Buffer.alloc(32, 8)));
    expect(entrySignatureValid(entry, signature, other)).toBe(false);
    expect(entrySignatureValid(entry, signature.subarray(1), createPublicKey(key))).toBe(false);
  });

  it("refuses bytes that are not a canonical v2 entry", () => {
    expect(parseEntry(entry)).toEqual({ ok: true, content });
    expect(parseEntry(Buffer.from("nope"))).toEqual({
      ok: false,
      problem: "the entry is not JSON",
    });
    const spaced = Buffer.from(ENTRY.replace('{"action"', '{ "action"'));
    expect(parseEntry(spaced)).toEqual({
      ok: false,
      problem: "the entry is not in canonical form",
    });
    const extra = Buffer.from(ENTRY.replace('"v":2}', '"v":2,"w":1}'));
    expect(parseEntry(extra)).toEqual({
      ok: false,
      problem: "the entry does not have exactly the v2 fields",
    });
    expect(parseEntry(Buffer.from(ENTRY.replace('"v":2', '"v":1')))).toEqual({
      ok: false,
      problem: "the entry is not format 2",
    });
  });

  it("names every searchable column that differs from the entry", () => {
    const row = { ...content, appTime: new Date(content.appTime) };
    expect(columnsDisagreeing(content, row)).toEqual([]);
    expect(
      columnsDisagreeing(content, { ...row, actorName: "someone", data: { a: "é\n", z: 2 } }),
    ).toEqual(["actorName", "data"]);
    // jsonb reorders keys: the same data in another order is the same.
    expect(columnsDisagreeing(content, { ...row, data: { a: "é\n", z: 1 } })).toEqual([]);
  });
});
