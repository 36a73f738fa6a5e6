/**
 * `npm run keys:generate -- <folder>` run as a child process, as an operator runs it: the console's
 * two Ed25519 key pairs with safe permissions, the environment lines it prints load as the console
 * loads its keys (and pass the start script's checks), and it never overwrites a key.
 */
import { execFile } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventKeyId } from "@/lib/domain/audit-entry";
import { formatCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { openNote, signNote, trustedBy } from "@/lib/domain/tlog/note";
import { eventSigner } from "@/lib/server/audit-keys";
import { logNoteVerifier, signerConfig } from "@/lib/server/audit-log-config";
import { ssfAlgorithm } from "@/lib/server/ssf/keys";
import { auditKeyProblems } from "@/scripts/lib/startup-checks";

const root = path.resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(path.join(tmpdir(), "keys-generate-"));
const FILES = [
  "audit-event-key.pem",
  "audit-event-key.pub.pem",
  "audit-checkpoint-key.pem",
  "audit-checkpoint-key.pub.pem",
  "ssf-signing-key.pem",
];

type Result = { code: number; stdout: string; stderr: string };

function generate(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/keys-generate.ts", ...args],
      { cwd: root, env: { NODE_ENV: "production", PATH: process.env.PATH, TMPDIR: tmpdir() } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const mode = (file: string) => statSync(file).mode & 0o777;
const contents = (folder: string) =>
  FILES.map((file) => path.join(folder, file)).map((file) =>
    existsSync(file) ? readFileSync(file, "utf8") : null,
  );

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("npm run keys:generate", () => {
  it("writes both key pairs, private keys for this user only, and prints lines the console loads", async () => {
    const folder = path.join(scratch, "new", "keys");
    const result = await generate(folder);
    expect(result.code).toBe(0);
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(mode(folder)).toBe(0o700);
    expect(mode(path.join(folder, "audit-event-key.pem"))).toBe(0o600);
    expect(mode(path.join(folder, "audit-checkpoint-key.pem"))).toBe(0o600);
    expect(mode(path.join(folder, "audit-event-key.pub.pem"))).toBe(0o644);
    expect(mode(path.join(folder, "audit-checkpoint-key.pub.pem"))).toBe(0o644);
    expect(mode(path.join(folder, "ssf-signing-key.pem"))).toBe(0o600);

    // Standard output is nothing but an environment file: comments and the four variables.
    const lines = result.stdout.trim().split("\n");
    expect(
      lines.every((line) => line.startsWith("#") || /^(AUDIT|SSF)_[A-Z_]+=\S+$/.test(line)),
    ).toBe(true);
    const env = parseEnv(result.stdout);
    expect(env).toEqual({
      AUDIT_EVENT_KEY_FILE: path.join(folder, "audit-event-key.pem"),
      AUDIT_SIGNING_KEY_FILE: path.join(folder, "audit-checkpoint-key.pem"),
      AUDIT_PUBLIC_KEY_FILE: path.join(folder, "audit-checkpoint-key.pub.pem"),
      SSF_SIGNING_KEY_FILE: path.join(folder, "ssf-signing-key.pem"),
    });

    // The start script accepts them.
    expect(auditKeyProblems(env)).toEqual([]);

    // The console loads them: events are signed with the event key, whose public half is written
    // beside it, and a checkpoint signed with the checkpoint key verifies with the printed public key.
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const signer = eventSigner();
    const eventPublic = createPublicKey(
      readFileSync(path.join(folder, "audit-event-key.pub.pem"), "utf8"),
    );
    expect(signer.keyId).toBe(eventKeyId(eventPublic));
    const configured = {
      ...env,
      NODE_ENV: "test",
      NEXTAUTH_URL: "https://recovery.example.com",
    } as const;
    const signing = signerConfig(configured)!;
    expect(signing.eventKeys.has(signer.keyId)).toBe(true);
    const note = signNote(
      formatCheckpoint({ origin: signing.origin, size: 1, rootHash: Buffer.alloc(32, 7) }),
      signing.origin,
      signing.privateKey,
    );
    const log = logNoteVerifier(configured)!;
    expect(trustedBy(openNote(note, [log]), log)).toBe(true);
    // The Shared Signals key signs RS256, as the CAEP interoperability profile asks.
    const ssfKey = createPrivateKey(readFileSync(env.SSF_SIGNING_KEY_FILE!, "utf8"));
    expect(ssfAlgorithm(ssfKey)).toBe("RS256");
    expect(result.stderr).toContain(`Wrote 5 files in ${folder}`);
  }, 30_000);

  it("refuses to overwrite: a second run writes nothing and says so in one line", async () => {
    const folder = path.join(scratch, "twice");
    expect((await generate(folder)).code).toBe(0);
    const before = contents(folder);

    const again = await generate(folder);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toContain(`No keys written: ${folder} already holds audit-event-key.pem`);
    expect(again.stderr).not.toMatch(/^\s+at /m);
    expect(contents(folder)).toEqual(before);
  }, 30_000);

  it("refuses a folder holding any one of the keys, and leaves it as it was", async () => {
    const folder = path.join(scratch, "partial");
    mkdirSync(folder, { mode: 0o700 });
    writeFileSync(path.join(folder, "audit-checkpoint-key.pem"), "the old checkpoint key\n");

    const result = await generate(folder);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("already holds audit-checkpoint-key.pem");
    expect(contents(folder)).toEqual([null, null, "the old checkpoint key\n", null, null]);
  }, 30_000);

  it("writes into a folder others can write to, with a warning to lock it down", async () => {
    const folder = path.join(scratch, "shared");
    mkdirSync(folder);
    chmodSync(folder, 0o777);

    const result = await generate(folder);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`WARNING: ${folder} is writable by other users`);
    expect(result.stderr).toContain(`chmod 700 ${folder}`);
    expect(mode(path.join(folder, "audit-event-key.pem"))).toBe(0o600);
  }, 30_000);

  it("without a folder, says how to run it", async () => {
    const result = await generate();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: npm run keys:generate -- <folder>");
  }, 30_000);
});
