/**
 * `npm run audit:verify-proof` run as a child process on exported events built here: a tree of
 * signed events, a checkpoint signed by the log and cosigned by a witness, one proof per event.
 */
import { execFile } from "node:child_process";
import { sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { formatCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { cosign } from "@/lib/domain/tlog/cosignature";
import { inclusionProof, readerFromLeaves, treeRoot } from "@/lib/domain/tlog/merkle";
import { rawPublicKey, signNote, verifierKey } from "@/lib/domain/tlog/note";
import { eventLeafHash, formatProof } from "@/lib/domain/tlog/proof";
import { testKey } from "@/lib/domain/tlog/test-keys";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const ORIGIN = "recovery.example.com/audit";
const WITNESS = "witness.example.com/w1";
const logKey = testKey(21);
const eventKey = testKey(22);
const witnessKey = testKey(23);
const LOG_VKEY = verifierKey(ORIGIN, rawPublicKey(logKey));
const WITNESS_VKEY = verifierKey(WITNESS, rawPublicKey(witnessKey), 4);

async function exportedEvents(count: number) {
  const events = Array.from({ length: count }, (_, i) => {
    const entry = Buffer.from(JSON.stringify({ v: 2, action: "case.opened", n: i }));
    const signature = sign(null, Buffer.concat([Buffer.from("audit-event/v2\n"), entry]), eventKey);
    return { entry, signature };
  });
  const read = readerFromLeaves(events.map((e) => eventLeafHash(e.signature, e.entry)));
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: count,
    rootHash: await treeRoot(count, read),
  });
  const note = signNote(body, ORIGIN, logKey) + cosign(body, WITNESS, witnessKey, 1_800_000_000);
  return Promise.all(
    events.map(async (e, position) => ({
      entry: e.entry.toString("base64"),
      signature: e.signature.toString("base64"),
      position,
      proof: formatProof({
        index: position,
        proof: await inclusionProof(position, count, read),
        checkpointNote: note,
      }),
    })),
  );
}

const dir = mkdtempSync(path.join(tmpdir(), "verify-proof-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function verify(lines: unknown[], args: string[], env: Record<string, string> = {}) {
  const file = path.join(dir, `events-${++files}.jsonl`);
  writeFileSync(
    file,
    lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n",
  );
  try {
    const { stdout } = await run("npx", ["tsx", "scripts/audit-verify-proof.ts", file, ...args], {
      cwd: root,
      env: { ...process.env, AUDIT_LOG_VKEY: "", AUDIT_WITNESS_VKEYS: "", ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

describe("npm run audit:verify-proof", () => {
  it("exits 0 when every event verifies, with the log key and the witness's", async () => {
    const events = await exportedEvents(9);
    const result = await verify(events, ["--log-key", LOG_VKEY, "--witness-key", WITNESS_VKEY]);
    expect(result.stdout).toContain("9 of 9 events verified");
    expect(result.stdout).toContain(
      `line 9: ok, position 8 in ${ORIGIN} at size 9, cosigned by ${WITNESS}`,
    );
    expect(result.code).toBe(0);
    // The keys may come from the environment.
    const fromEnv = await verify(events, [], {
      AUDIT_LOG_VKEY: LOG_VKEY,
      AUDIT_WITNESS_VKEYS: WITNESS_VKEY,
    });
    expect(fromEnv.code).toBe(0);
  }, 30_000);

  it("names every line that fails and exits 1", async () => {
    const events = await exportedEvents(6);
    const tampered = [
      events[0],
      { ...events[1]!, entry: Buffer.from('{"v":2,"action":"case.closed"}').toString("base64") },
      { ...events[2]!, position: 3 },
      { ...events[3]!, proof: events[3]!.proof.replace("c2sp.org/tlog-proof@v1", "proof") },
      "{not json",
      { ...events[5]!, signature: "AAAA" },
    ];
    const result = await verify(tampered, ["--log-key", LOG_VKEY]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("line 1: ok");
    expect(result.stdout).toContain("line 2: FAILED inclusion");
    expect(result.stdout).toContain("line 3: FAILED position");
    expect(result.stdout).toContain("line 4: FAILED malformed-proof");
    expect(result.stdout).toContain("line 5: FAILED not JSON");
    expect(result.stdout).toContain("line 6: FAILED signature");
    expect(result.stdout).toContain("1 of 6 events verified");
  }, 30_000);

  it("fails with another log key, or a witness that did not cosign", async () => {
    const events = await exportedEvents(3);
    const wrongLog = await verify(events, [
      "--log-key",
      verifierKey(ORIGIN, rawPublicKey(testKey(5))),
    ]);
    expect(wrongLog.code).toBe(1);
    expect(wrongLog.stdout).toContain("FAILED log-signature");
    const otherWitness = verifierKey("witness.example.com/w2", rawPublicKey(testKey(6)), 4);
    const missing = await verify(events, ["--log-key", LOG_VKEY, "--witness-key", otherWitness]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("FAILED witness-quorum");
  }, 30_000);

  it("exits 2 without a log key", async () => {
    expect((await verify(await exportedEvents(1), [])).code).toBe(2);
  }, 30_000);
});
