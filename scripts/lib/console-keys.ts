/**
 * The console's signing keys. Two Ed25519 key pairs (docs/decisions/017-verifiable-audit-log.md):
 * the event key signs every audit event, the checkpoint key signs the log's checkpoints. And the
 * Shared Signals key (RSA, RS256, docs/decisions/034-shared-signals.md), which signs the security
 * events sent to other applications. All live with the application, never in the database. `npm run keys:generate -- <folder>` writes a set for a
 * deployment (scripts/keys-generate.ts); the start script writes the demo's into .data/.
 */
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A fresh Ed25519 key pair: the private key as PKCS#8 PEM, the public one as SPKI PEM. */
export function ed25519KeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * A fresh Shared Signals signing key: RSA 2048 as PKCS#8 PEM, for RS256, the algorithm the CAEP
 * interoperability profile asks every transmitter and receiver to support.
 */
export function ssfSigningKey(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** The files `keys:generate` writes, and the variable each is given to (if any). */
export const KEY_SET = [
  { file: "audit-event-key.pem", variable: "AUDIT_EVENT_KEY_FILE", secret: true },
  { file: "audit-event-key.pub.pem", variable: null, secret: false },
  { file: "audit-checkpoint-key.pem", variable: "AUDIT_SIGNING_KEY_FILE", secret: true },
  { file: "audit-checkpoint-key.pub.pem", variable: "AUDIT_PUBLIC_KEY_FILE", secret: false },
  { file: "ssf-signing-key.pem", variable: "SSF_SIGNING_KEY_FILE", secret: true },
] as const;

export class KeysRefused extends Error {}

export type WrittenKeys = {
  folder: string;
  files: { path: string; mode: number }[];
  /** Lines for an environment file (or `set -a; . file`): comments and VARIABLE=value. */
  envLines: string[];
  /** Notes for the person running it (folder permissions). */
  warnings: string[];
};

/**
 * Writes a new event key pair, a new checkpoint key pair and a Shared Signals key into `folder` (created 0700 if
 * missing): private keys 0600, public halves 0644. Never overwrites: if any of the files is
 * there, nothing is written, since a replaced event key no longer verifies what the old one
 * signed and a replaced checkpoint key no longer matches the log's earlier checkpoints.
 */
export function writeConsoleKeys(folder: string): WrittenKeys {
  const dir = path.resolve(folder);
  if (/['\n\r]/.test(dir))
    throw new KeysRefused(
      `The folder ${JSON.stringify(dir)} has a quote or a line break in its path: choose another folder.`,
    );
  const present = KEY_SET.filter(({ file }) => exists(path.join(dir, file))).map((k) => k.file);
  if (present.length > 0)
    throw new KeysRefused(
      `${dir} already holds ${present.join(", ")}: keys:generate never overwrites keys (a new event key would not verify the events the old one signed). Choose an empty folder, or move the old keys away first.`,
    );
  const warnings: string[] = [];
  if (exists(dir)) {
    const stat = statSync(dir);
    if (!stat.isDirectory()) throw new KeysRefused(`${dir} is a file, not a folder.`);
    if (stat.mode & 0o022)
      warnings.push(
        `${dir} is writable by other users, who could replace the keys: keep them in a folder only the console's user can write (chmod 700 ${dir}).`,
      );
  } else {
    attempt(`create the folder ${dir}`, () => mkdirSync(dir, { recursive: true, mode: 0o700 }));
  }
  const event = ed25519KeyPair();
  const checkpoint = ed25519KeyPair();
  const contents = [
    event.privatePem,
    event.publicPem,
    checkpoint.privatePem,
    checkpoint.publicPem,
    ssfSigningKey(),
  ];
  const files: WrittenKeys["files"] = [];
  for (const [i, { file, secret }] of KEY_SET.entries()) {
    const target = path.join(dir, file);
    const mode = secret ? 0o600 : 0o644;
    try {
      // "wx": fails if the file appeared meanwhile, so nothing is ever overwritten.
      writeFileSync(target, contents[i]!, { flag: "wx", mode });
      // Exactly these modes, whatever the umask: verifiers may read a public half.
      chmodSync(target, mode);
    } catch (error) {
      // All or none: a half-written set is taken back (only what this run wrote).
      for (const written of files) rmSync(written.path, { force: true });
      throw new KeysRefused(`Could not write ${target} (${(error as Error).message}).`);
    }
    files.push({ path: target, mode });
  }
  const value = (file: string) => {
    const full = path.join(dir, file);
    return /^[\w./@%+,:-]+$/.test(full) ? full : `'${full}'`;
  };
  const envLines = [
    `# Signing keys made by npm run keys:generate on ${new Date().toISOString().slice(0, 10)} (keep them off the database host)`,
    ...KEY_SET.filter((k) => k.variable).map((k) => `${k.variable}=${value(k.file)}`),
    `# The event key's public half, for verifiers (npm run audit:verify-export -- --event-key …): ${value(KEY_SET[1].file)}`,
  ];
  return { folder: dir, files, envLines, warnings };
}

function attempt(what: string, action: () => void) {
  try {
    action();
  } catch (error) {
    throw new KeysRefused(`Could not ${what} (${(error as Error).message}).`);
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
