/**
 * `npm run audit:verify-export -- <file.jsonl> [--complete]`: verifies an exported audit file
 * outside the console. Every event's hash must match its content and previous hash; with
 * --complete (an unfiltered export) every event must also follow the one before it, from the
 * start of the chain. An event in a format version this code does not know fails the file; lines
 * without a version (older exports) are v1. Reads line by line: any size. Exit 0 when it
 * verifies, 1 otherwise.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { verifyExportLines } from "../lib/domain/audit-export.ts";

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error("usage: npm run audit:verify-export -- <file.jsonl> [--complete]");
  process.exit(2);
}

const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
const { count, hashed, linked, legacy, failure } = await verifyExportLines(lines, {
  complete: flags.includes("--complete"),
});
console.log(
  `${count} events read; ${hashed} hashes verified; ${linked} links verified${legacy ? `; ${legacy} legacy events` : ""}`,
);
console.log(failure ? `FAILED: ${failure}` : "OK");
process.exit(failure ? 1 : 0);
