/**
 * The witness as a real HTTP service on an ephemeral port, driven by the console's client
 * (lib/server/audit-witness-client.ts) and by raw requests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitToWitness } from "../server/audit-witness-client";
import { formatCheckpoint } from "../domain/tlog/checkpoint";
import { cosignatureVerifier, verifyCosignature } from "../domain/tlog/cosignature";
import {
  consistencyProof,
  EMPTY_ROOT,
  leafHash,
  readerFromLeaves,
  treeRoot,
} from "../domain/tlog/merkle";
import { noteVerifier, openNote, rawPublicKey, signNote, verifierKey } from "../domain/tlog/note";
import { testKey } from "../domain/tlog/test-keys";
import { witnessVerifierKey, type WitnessConfig } from "./config";
import { startWitness } from "./index";
import { originHash } from "./witness";

const ORIGIN = "recovery.example.com/audit";
const OTHER = "other.example.com/log";
const WITNESS = "witness.example.com/w1";
const logKey = testKey(1);
const witnessKey = testKey(2);
const witnessPub = rawPublicKey(witnessKey);

const leavesOf = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${tag} ${i}`)));
const honest = leavesOf("event", 40);

async function checkpointNote(leaves: Buffer[], size: number, origin = ORIGIN, key = logKey) {
  const rootHash = await treeRoot(size, readerFromLeaves(leaves.slice(0, size)));
  const body = formatCheckpoint({ origin, size, rootHash });
  return { body, note: signNote(body, origin, key) };
}
const proofOf = (leaves: Buffer[], m: number, n: number) =>
  consistencyProof(m, n, readerFromLeaves(leaves.slice(0, n)));

describe("the witness service", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "witness-"));
  const keyFile = path.join(dir, "witness.pem");
  writeFileSync(keyFile, witnessKey.export({ format: "pem", type: "pkcs8" }));
  const config: WitnessConfig = {
    name: WITNESS,
    keyFile,
    stateFile: path.join(dir, "state.json"),
    port: 0,
    host: "127.0.0.1",
    logs: [
      { origin: ORIGIN, vkey: verifierKey(ORIGIN, rawPublicKey(logKey)) },
      { origin: OTHER, vkey: verifierKey(OTHER, rawPublicKey(logKey)) },
    ],
  };
  let server: Server;
  let url: string;
  const start = async () => {
    const started = await startWitness(config, { now: () => 1_800_000_000 });
    server = started.server;
    url = `http://127.0.0.1:${started.port}`;
  };
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const submit = async (oldSize: number, proof: Buffer[], signedNote: string) =>
    submitToWitness({ url, oldSize, proof, signedNote });
  const post = (body: string) => fetch(`${url}/add-checkpoint`, { method: "POST", body });

  beforeAll(start);
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("cosigns a first checkpoint (old 0), with a cosignature that verifies", async () => {
    const { body, note } = await checkpointNote(honest, 5);
    const answer = await submit(0, [], note);
    expect(answer.kind).toBe("cosigned");
    if (answer.kind !== "cosigned") return;
    expect(answer.lines).toHaveLength(1);
    expect(verifyCosignature(answer.lines[0]!, body, WITNESS, witnessPub)).toEqual({
      ok: true,
      time: 1_800_000_000,
    });
    const state = JSON.parse(readFileSync(config.stateFile, "utf8"));
    expect(state[ORIGIN].size).toBe(5);
  });

  it("cosigns consistent growth", async () => {
    const { note } = await checkpointNote(honest, 12);
    const answer = await submit(5, await proofOf(honest, 5, 12), note);
    expect(answer.kind).toBe("cosigned");
  });

  it("answers 409 with its size when the old size is not the one it cosigned", async () => {
    const { note } = await checkpointNote(honest, 14);
    expect(await submit(5, await proofOf(honest, 5, 14), note)).toEqual({
      kind: "conflict",
      size: 12,
    });
    const raw = await post(`old 0\n\n${note}`);
    expect(raw.status).toBe(409);
    expect(raw.headers.get("content-type")).toBe("text/x.tlog.size");
    expect(await raw.text()).toBe("12\n");
  });

  it("refuses a rewrite of the cosigned prefix, even signed by the log's key", async () => {
    const forked = [...honest.slice(0, 11), ...leavesOf("forged", 29)];
    const { note } = await checkpointNote(forked, 20);
    const answer = await submit(12, await proofOf(forked, 12, 20), note);
    expect(answer).toMatchObject({ kind: "refused", status: 422 });
    // The same size with another root is refused too.
    const same = await checkpointNote(forked, 12);
    expect(await submit(12, [], same.note)).toMatchObject({ kind: "refused", status: 422 });
    // And a proof that does not lead to the new root.
    const { note: good } = await checkpointNote(honest, 20);
    const wrongProof = await proofOf(honest, 12, 19);
    expect(await submit(12, wrongProof, good)).toMatchObject({ kind: "refused", status: 422 });
  });

  it("refuses a checkpoint the log's key did not sign", async () => {
    const { note } = await checkpointNote(honest, 20, ORIGIN, testKey(9));
    expect(await submit(12, await proofOf(honest, 12, 20), note)).toMatchObject({
      kind: "refused",
      status: 403,
    });
    const genuine = (await checkpointNote(honest, 20)).note;
    const tampered = genuine.replace(/([A-Za-z0-9])=\n$/, (_, c) => `${c === "A" ? "B" : "A"}=\n`);
    expect(await submit(12, await proofOf(honest, 12, 20), tampered)).toMatchObject({
      status: 403,
    });
  });

  it("answers 404 for an unknown log, 400 for nonsense and 422 for an empty tree with a root", async () => {
    const { note } = await checkpointNote(honest, 3, "unknown.example/log");
    expect(await submit(0, [], note)).toMatchObject({ kind: "refused", status: 404 });
    expect((await post("hello")).status).toBe(400);
    expect((await post(`old 01\n\n${(await checkpointNote(honest, 13)).note}`)).status).toBe(400);
    const small = await checkpointNote(honest, 3);
    expect(await submit(12, [], small.note)).toMatchObject({ kind: "refused", status: 400 });
    const empty = signNote(
      formatCheckpoint({ origin: OTHER, size: 0, rootHash: honest[0]! }),
      OTHER,
      logKey,
    );
    expect(await submit(0, [], empty)).toMatchObject({ kind: "refused", status: 422 });
    const withProof = (await checkpointNote(honest, 4, OTHER)).note;
    expect(await submit(0, [EMPTY_ROOT], withProof)).toMatchObject({ status: 422 });
    expect((await fetch(`${url}/add-checkpoint`)).status).toBe(405);
    expect((await post("x".repeat(70_000))).status).toBe(413);
  });

  it("serializes concurrent requests for one log: exactly one wins", async () => {
    const answers = await Promise.all(
      [15, 16, 17, 18, 19, 20, 15, 16].map(async (n) =>
        submit(12, await proofOf(honest, 12, n), (await checkpointNote(honest, n)).note),
      ),
    );
    expect(answers.filter((a) => a.kind === "cosigned")).toHaveLength(1);
    const conflicts = answers.filter((a) => a.kind === "conflict");
    expect(conflicts).toHaveLength(7);
    const size = JSON.parse(readFileSync(config.stateFile, "utf8"))[ORIGIN].size;
    expect(conflicts.every((a) => a.kind === "conflict" && a.size === size)).toBe(true);
  });

  it("serves the latest cosigned checkpoint for monitors", async () => {
    const response = await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`);
    expect(response.status).toBe(200);
    const opened = openNote(await response.text(), [
      noteVerifier(config.logs[0]!.vkey),
      cosignatureVerifier(witnessVerifierKey(WITNESS, witnessKey)),
    ]);
    expect(opened.signatures.map((s) => [s.name, s.verified])).toEqual([
      [ORIGIN, true],
      [WITNESS, true],
    ]);
    expect((await fetch(`${url}/${originHash("nobody")}/checkpoint`)).status).toBe(404);
  });

  it("restarts from its state file", async () => {
    const size = JSON.parse(readFileSync(config.stateFile, "utf8"))[ORIGIN].size as number;
    await stop();
    await start();
    const { note } = await checkpointNote(honest, 30);
    expect(await submit(0, [], note)).toEqual({ kind: "conflict", size });
    expect((await submit(size, await proofOf(honest, size, 30), note)).kind).toBe("cosigned");
  });
});

describe("the witness client", () => {
  it("reports a witness that does not answer in time as refused with status 0", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const answer = await submitToWitness({
      url: `http://127.0.0.1:${port}/`,
      oldSize: 0,
      proof: [],
      signedNote: "n\n\n\u2014 a b\n",
      timeoutMs: 200,
    });
    expect(answer).toMatchObject({ kind: "refused", status: 0 });
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("reads answers through an injected fetch", async () => {
    const answer = (status: number, body: string, type = "text/plain") =>
      submitToWitness({
        url: "http://witness.invalid",
        oldSize: 0,
        proof: [],
        signedNote: "n\n\n\u2014 a b\n",
        fetch: async () => new Response(body, { status, headers: { "Content-Type": type } }),
      });
    expect(await answer(200, "\u2014 w AAAA\n\u2014 w BBBB\n")).toEqual({
      kind: "cosigned",
      lines: ["\u2014 w AAAA\n", "\u2014 w BBBB\n"],
    });
    expect(await answer(200, "nonsense\n")).toMatchObject({ kind: "refused", status: 200 });
    expect(await answer(409, "7\n", "text/x.tlog.size")).toEqual({ kind: "conflict", size: 7 });
    expect(await answer(409, "7\n")).toMatchObject({ kind: "refused", status: 409 });
    expect(await answer(422, "inconsistent\n")).toEqual({
      kind: "refused",
      status: 422,
      message: "inconsistent",
    });
  });
});
