import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "./checkpoint";
import { cosign } from "./cosignature";
import { inclusionProof, readerFromLeaves, treeRoot } from "./merkle";
import { NoteError, rawPublicKey, signNote, verifierKey } from "./note";
import { eventLeafHash, formatProof, parseProof, verifyProofBundle } from "./proof";
import { testKey } from "./test-keys";
import { formatAddCheckpoint, parseAddCheckpoint } from "./witness-protocol";

const ORIGIN = "recovery.example.com/audit";
const logKey = testKey(1);
const logVkey = verifierKey(ORIGIN, rawPublicKey(logKey));
const w1 = { name: "w1.example/witness", key: testKey(2) };
const w2 = { name: "w2.example/witness", key: testKey(3) };
const witnessVkey = (w: typeof w1) => verifierKey(w.name, rawPublicKey(w.key), 4);

const events = Array.from({ length: 13 }, (_, i) => ({
  signature: Buffer.alloc(64, i),
  entry: Buffer.from(JSON.stringify({ v: 2, n: i })),
}));
const leaves = events.map((e) => eventLeafHash(e.signature, e.entry));

async function bundleFor(index: number, cosigners = [w1, w2]) {
  const read = readerFromLeaves(leaves);
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: leaves.length,
    rootHash: await treeRoot(leaves.length, read),
  });
  const note =
    signNote(body, ORIGIN, logKey) +
    cosigners.map((w) => cosign(body, w.name, w.key, 1_800_000_000)).join("");
  return formatProof({
    index,
    proof: await inclusionProof(index, leaves.length, read),
    checkpointNote: note,
  });
}

describe("tlog-proof bundles", () => {
  it("round-trips, with and without extra data", async () => {
    const text = await bundleFor(5);
    const parsed = parseProof(text);
    expect(parsed.index).toBe(5);
    expect(formatProof(parsed)).toBe(text);
    const withExtra = formatProof({ ...parsed, extra: Buffer.from("context") });
    expect(withExtra.split("\n")[1]).toBe(`extra ${Buffer.from("context").toString("base64")}`);
    expect(parseProof(withExtra).extra?.toString()).toBe("context");
    expect(text.startsWith("c2sp.org/tlog-proof@v1\nindex 5\n")).toBe(true);
  });

  it("verifies each event with the log key and both witnesses", async () => {
    for (let i = 0; i < events.length; i++) {
      const result = verifyProofBundle({
        bundle: await bundleFor(i),
        leaf: events[i]!,
        logVerifierKey: logVkey,
        witnessVerifierKeys: [witnessVkey(w1), witnessVkey(w2)],
      });
      expect(result).toMatchObject({ ok: true, index: i, witnesses: [w1.name, w2.name] });
    }
    const byHash = verifyProofBundle({
      bundle: await bundleFor(0),
      leaf: { hash: leaves[0]! },
      logVerifierKey: logVkey,
    });
    expect(byHash.ok).toBe(true);
  });

  it("names the check that failed", async () => {
    const bundle = await bundleFor(4);
    const base = { bundle, leaf: events[4]!, logVerifierKey: logVkey };
    const failed = (over: Partial<Parameters<typeof verifyProofBundle>[0]>) => {
      const r = verifyProofBundle({ ...base, ...over });
      return r.ok ? "ok" : r.failed;
    };
    expect(failed({})).toBe("ok");
    expect(failed({ leaf: events[5]! })).toBe("inclusion");
    expect(failed({ leaf: { ...events[4]!, entry: Buffer.from("{}") } })).toBe("inclusion");
    expect(failed({ bundle: bundle.replace("index 4", "index 5") })).toBe("inclusion");
    expect(failed({ logVerifierKey: verifierKey(ORIGIN, rawPublicKey(testKey(9))) })).toBe(
      "log-signature",
    );
    expect(failed({ logVerifierKey: verifierKey("other.example/log", rawPublicKey(logKey)) })).toBe(
      "origin",
    );
    expect(failed({ bundle: bundle.replace("c2sp.org", "c2sp.net") })).toBe("malformed-proof");
    expect(failed({ bundle: bundle.replace(`${ORIGIN}\n13\n`, `${ORIGIN}\n013\n`) })).toBe(
      "malformed-checkpoint",
    );
    expect(failed({ bundle: bundle.replace(`${ORIGIN}\n13\n`, `${ORIGIN}\n14\n`) })).toBe(
      "log-signature",
    );
    expect(failed({ logVerifierKey: "nonsense" })).toBe("bad-key");
    const unknownWitness = { name: "w3.example/witness", key: testKey(4) };
    expect(failed({ witnessVerifierKeys: [witnessVkey(w1), witnessVkey(unknownWitness)] })).toBe(
      "witness-quorum",
    );
    expect(
      failed({
        witnessVerifierKeys: [witnessVkey(w1), witnessVkey(unknownWitness)],
        witnessQuorum: 1,
      }),
    ).toBe("ok");
    const oneWitness = await bundleFor(4, [w1]);
    expect(failed({ bundle: oneWitness, witnessVerifierKeys: [witnessVkey(w2)] })).toBe(
      "witness-quorum",
    );
    // A witness line whose signature bytes were altered.
    const lines = bundle.split("\n");
    const w2line = lines.findIndex((l) => l.startsWith(`\u2014 ${w2.name} `));
    const sig = Buffer.from(lines[w2line]!.split(" ")[2]!, "base64");
    sig[20]! ^= 1;
    lines[w2line] = `\u2014 ${w2.name} ${sig.toString("base64")}`;
    expect(
      failed({
        bundle: lines.join("\n"),
        witnessVerifierKeys: [witnessVkey(w1), witnessVkey(w2)],
        witnessQuorum: 1,
      }),
    ).toBe("witness-signature");
  });

  it("refuses malformed bundles", () => {
    const h = Buffer.alloc(32).toString("base64");
    for (const text of [
      "c2sp.org/tlog-proof@v1\nindex 1\n",
      "c2sp.org/tlog-proof@v1\nindex 01\n\nnote",
      "c2sp.org/tlog-proof@v1\n\nnote",
      `c2sp.org/tlog-proof@v1\nindex 1\n${h.slice(1)}\n\nnote`,
      `c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\nnote`,
      `c2sp.org/tlog-proof@v1\nindex 1\n${`${h}\n`.repeat(64)}\nnote`,
    ]) {
      expect(() => parseProof(text), text).toThrow(NoteError);
    }
  });
});

describe("add-checkpoint request bodies", () => {
  it("round-trip, with the spec's layout", () => {
    const proof = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const body = formatAddCheckpoint({ oldSize: 7, proof, note: "n\n\n\u2014 x y\n" });
    expect(body).toBe(
      `old 7\n${proof[0]!.toString("base64")}\n${proof[1]!.toString("base64")}\n\nn\n\n\u2014 x y\n`,
    );
    expect(parseAddCheckpoint(body)).toEqual({ oldSize: 7, proof, note: "n\n\n\u2014 x y\n" });
    expect(parseAddCheckpoint("old 0\n\nnote")).toEqual({ oldSize: 0, proof: [], note: "note" });
  });

  it("refuses malformed bodies", () => {
    for (const body of [
      "old 01\n\nnote",
      "old -1\n\nnote",
      "new 1\n\nnote",
      "old 1\nxx\n\nnote",
      "old 1\nnote",
    ]) {
      expect(() => parseAddCheckpoint(body), body).toThrow(NoteError);
    }
  });
});
