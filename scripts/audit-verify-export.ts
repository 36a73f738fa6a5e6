/**
 * `npm run audit:verify-export -- <file.jsonl> [--complete] [--log-key <vkey>]
 *   [--event-key <public.pem or base64>]… [--witness-key <vkey>]…`: verifies an exported audit file outside
 * the console, with public keys only (docs/decisions/017). v2 events: each line's columns must be
 * its signed entry's, the signature must verify with an event key, positions must rise (with
 * --complete, an unfiltered export, by one from 0 to the checkpoint's size), and each proof must
 * show the event in a checkpoint signed by the log's key (and cosigned by the witnesses given).
 * v1 events: hashes and links as before. The end line must come last and count the events: a file
 * cut short, reordered or spliced fails, naming the line. Keys may also come from AUDIT_LOG_VKEY,
 * AUDIT_EVENT_PUBLIC_KEY_FILES and AUDIT_WITNESS_VKEYS. Exit 0 when it verifies, 1 otherwise.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { eventKeyId } from "../lib/domain/audit-entry.ts";
import { verifyExportLines } from "../lib/domain/audit-export.ts";
import { ed25519PublicKey } from "../lib/domain/tlog/note.ts";

const args = process.argv.slice(2);
let file: string | undefined;
let complete = false;
let logKey = process.env.AUDIT_LOG_VKEY?.trim() || undefined;
const eventKeyFiles = (process.env.AUDIT_EVENT_PUBLIC_KEY_FILES ?? "").split(",").filter(Boolean);
const witnessKeys = (process.env.AUDIT_WITNESS_VKEYS ?? "").split(/[\s,]+/).filter(Boolean);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--complete") complete = true;
  else if (arg === "--log-key") logKey = args[++i];
  else if (arg === "--event-key") eventKeyFiles.push(args[++i] ?? "");
  else if (arg === "--witness-key") witnessKeys.push(args[++i] ?? "");
  else if (!arg.startsWith("--") && !file) file = arg;
  else {
    console.error(`unknown argument ${arg}`);
    process.exit(2);
  }
}
if (!file) {
  console.error(
    "usage: npm run audit:verify-export -- <file.jsonl> [--complete] [--log-key <vkey>] [--event-key <public.pem>]… [--witness-key <vkey>]…",
  );
  process.exit(2);
}
const eventKeys = new Map<string, KeyObject>();
for (const given of eventKeyFiles) {
  // A PEM file, or the raw public key in base64 as the reviewer page shows it.
  const key = /^[A-Za-z0-9+/]{43}=$/.test(given.trim())
    ? ed25519PublicKey(Buffer.from(given.trim(), "base64"))
    : createPublicKey(readFileSync(given.trim(), "utf8"));
  eventKeys.set(eventKeyId(key), key);
}

const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
const result = await verifyExportLines(lines, {
  complete,
  eventKeys: eventKeys.size > 0 ? eventKeys : undefined,
  logKey,
  witnessKeys,
});
console.log(
  `${result.count} events read; v2: ${result.signed} entries${eventKeys.size ? " with verified signatures" : " (signatures not checked: no --event-key)"}, ${result.proven} inclusion proofs${logKey ? " verified" : " (not checked: no --log-key)"}; v1: ${result.hashed} hashes, ${result.linked} links${result.legacy ? `, ${result.legacy} legacy events` : ""}`,
);
console.log(result.failure ? `FAILED: ${result.failure}` : "OK");
process.exit(result.failure ? 1 : 0);
