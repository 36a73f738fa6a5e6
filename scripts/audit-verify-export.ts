/**
 * `npm run audit:verify-export -- <file.jsonl> [--complete]`: verifies an exported audit file
 * outside the console. Every event's hash must match its content and previous hash; with
 * --complete (an unfiltered export) every event must also follow the one before it, from the
 * start of the chain. Reads line by line: any size. Exit 0 when it verifies, 1 otherwise.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { chainHash, GENESIS, type ChainedContent } from "../lib/domain/audit-chain.ts";

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error("usage: npm run audit:verify-export -- <file.jsonl> [--complete]");
  process.exit(2);
}
const complete = flags.includes("--complete");

let count = 0;
let linked = 0;
let legacy = 0;
let previous: string | null = null;
let failure: string | null = null;
for await (const line of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const { id, prevHash, hash, ...content } = JSON.parse(line) as ChainedContent & { id: string; prevHash: string | null; hash: string | null };
  count++;
  if (hash === null) {
    if (previous !== null) {
      failure = `event ${id} has no hash inside the chain`;
      break;
    }
    legacy++;
    continue;
  }
  if (chainHash(prevHash ?? "", content) !== hash) {
    failure = `event ${id}: hash does not match its content`;
    break;
  }
  if (prevHash === (previous ?? GENESIS)) linked++;
  else if (complete) {
    failure = `event ${id} does not follow the event before it`;
    break;
  }
  previous = hash;
}
console.log(`${count} events read; ${count - legacy - (failure ? 1 : 0)} hashes verified; ${linked} links verified${legacy ? `; ${legacy} legacy events` : ""}`);
console.log(failure ? `FAILED: ${failure}` : "OK");
process.exit(failure ? 1 : 0);
