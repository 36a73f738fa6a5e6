/**
 * Known answers for audit format v1 (docs/decisions/010-audit-format-versions.md).
 *
 * THESE LITERALS PIN FORMAT v1 AND MUST NEVER CHANGE. Every v1 event and checkpoint already
 * written is verified with exactly these bytes; if a change to the code makes a test here fail,
 * the change is wrong, not the literal. A new way of hashing or signing is a new format version,
 * with its own known answers beside these. The chain literals were cross-checked with an
 * independent implementation (Python's json.dumps with sorted keys and hashlib), and the key with
 * RFC 8032's first Ed25519 test vector, below.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AUDIT_FORMAT_V1,
  chainHash,
  chainHashV1,
  GENESIS,
  verifyChainSegment,
  type ChainedContent,
} from "./audit-chain";
import { canonicalJson } from "./canonical-json";
import {
  CHECKPOINT_FORMAT_V1,
  checkpointBodyV1,
  checkpointSignatureValidV1,
  signCheckpointV1,
  type Checkpoint,
} from "./audit-format";

const content: ChainedContent = {
  createdAt: "2026-11-23T19:47:00.123Z",
  action: "approval.decided",
  outcome: "ALLOWED",
  reason: null,
  actorType: "STAFF",
  actorId: "6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f",
  actorName: "Zoë Ångström",
  actorRole: "SUPERVISOR",
  targetType: "approval",
  targetId: "0b7e6d5c-4a39-4281-9f0e-d1c2b3a49586",
  subjectUserId: "3c9d8e7f-6a5b-4c4d-9e3f-2a1b0c9d8e7f",
  caseId: "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
  requestId: "req-01JD5K7QX9",
  ip: "2001:db8::1",
  data: {
    snapshotHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    decision: "approved",
    note: "callback ✓",
    steps: [2, 1],
  },
};
const second: ChainedContent = {
  ...content,
  createdAt: "2026-11-23T19:47:01.000Z",
  outcome: "REFUSED",
  reason: "FORBIDDEN",
};

const FIRST_HASH = "4fb69f8c1f410f2701cd14754b9dcb2d928ba9990fbeb099b4b82a76c6aea792";
const SECOND_HASH = "acbce2c7d23a42b3a49eeb6e4224a6351aa63c74938c6e87830e3a88a1fd2a94";

// RFC 8032, section 7.1, TEST 1: its secret key, public key, and signature of the empty message.
const SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";
const privateKey: KeyObject = createPrivateKey({
  key: Buffer.from(PKCS8_ED25519_PREFIX + SEED, "hex"),
  format: "der",
  type: "pkcs8",
});
const publicKey = createPublicKey(privateKey);

describe("audit format v1: the chain", () => {
  it("is version 1, following 64 zeros", () => {
    expect(AUDIT_FORMAT_V1).toBe(1);
    expect(GENESIS).toBe("0000000000000000000000000000000000000000000000000000000000000000");
  });

  it("hashes this canonical text of the fifteen fields", () => {
    expect(canonicalJson(content)).toBe(
      '{"action":"approval.decided","actorId":"6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f","actorName":"Zoë Ångström","actorRole":"SUPERVISOR",' +
        '"actorType":"STAFF","caseId":"7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d","createdAt":"2026-11-23T19:47:00.123Z",' +
        '"data":{"decision":"approved","note":"callback ✓","snapshotHash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","steps":[2,1]},' +
        '"ip":"2001:db8::1","outcome":"ALLOWED","reason":null,"requestId":"req-01JD5K7QX9","subjectUserId":"3c9d8e7f-6a5b-4c4d-9e3f-2a1b0c9d8e7f",' +
        '"targetId":"0b7e6d5c-4a39-4281-9f0e-d1c2b3a49586","targetType":"approval"}',
    );
  });

  it("gives the first event after GENESIS this hash", () => {
    expect(chainHashV1(GENESIS, content)).toBe(FIRST_HASH);
  });

  it("gives an event after a non-genesis head this hash", () => {
    expect(chainHashV1(FIRST_HASH, second)).toBe(SECOND_HASH);
  });

  it("covers the fifteen fields only: a row's id, version and chain fields do not change it", () => {
    const row = { ...content, id: 7n, formatVersion: 1, prevHash: GENESIS, hash: FIRST_HASH };
    expect(chainHashV1(GENESIS, row)).toBe(FIRST_HASH);
    expect(chainHash).toBe(chainHashV1);
  });

  it("verifies the two known events as a chain", () => {
    const events = [
      { ...content, id: 1n, formatVersion: AUDIT_FORMAT_V1, prevHash: GENESIS, hash: FIRST_HASH },
      {
        ...second,
        id: 2n,
        formatVersion: AUDIT_FORMAT_V1,
        prevHash: FIRST_HASH,
        hash: SECOND_HASH,
      },
    ];
    expect(verifyChainSegment(events, null)).toEqual({
      break: null,
      last: SECOND_HASH,
      checked: 2,
    });
  });
});

describe("audit format v1: the signed checkpoint", () => {
  const statement: Checkpoint = {
    version: CHECKPOINT_FORMAT_V1,
    headId: "1234",
    headHash: SECOND_HASH,
    chained: 1234,
    signedAt: "2026-11-23T19:50:00.000Z",
  };
  const BODY =
    '{"chained":1234,"headHash":"acbce2c7d23a42b3a49eeb6e4224a6351aa63c74938c6e87830e3a88a1fd2a94","headId":"1234","signedAt":"2026-11-23T19:50:00.000Z","version":1}';
  const SIGNATURE =
    "UESWUO17zvwbdS3K2kR81W1wSCqZf6Y6nc9UGoCmtx72lgG0cq7UxKacUKC9NQSTdmFQdwcdm+7CfE23F7TSBw==";

  it("builds the key of RFC 8032's first test vector from the seed", () => {
    expect(publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex")).toBe(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    expect(sign(null, Buffer.alloc(0), privateKey).toString("hex")).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("signs this exact body", () => {
    expect(CHECKPOINT_FORMAT_V1).toBe(1);
    expect(checkpointBodyV1(statement)).toBe(BODY);
  });

  it("gives this exact Ed25519 signature (deterministic), which verifies with the public key", () => {
    expect(signCheckpointV1(statement, privateKey)).toBe(SIGNATURE);
    expect(checkpointSignatureValidV1(statement, SIGNATURE, publicKey)).toBe(true);
  });

  it("does not verify once any signed field changes", () => {
    expect(checkpointSignatureValidV1({ ...statement, chained: 1233 }, SIGNATURE, publicKey)).toBe(
      false,
    );
    expect(checkpointSignatureValidV1({ ...statement, headId: "1233" }, SIGNATURE, publicKey)).toBe(
      false,
    );
  });
});
