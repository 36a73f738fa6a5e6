/**
 * `npm run audit:verify-proof -- <file> --log-key <vkey> [--witness-key <vkey>]… [--quorum <n>]`:
 * checks exported audit events against their checkpoints with public keys only (docs/tlog.md).
 * The file holds JSON Lines, one event each: `entry` and `signature` (base64), `position`, and
 * `proof` (the c2sp.org/tlog-proof@v1 text). The log key may come from AUDIT_LOG_VKEY and the
 * witness keys from AUDIT_WITNESS_VKEYS (separated by spaces or commas). Every line is reported;
 * the exit code is 0 only when every event verifies, 1 when one does not, 2 on bad usage.
 */
import { readFileSync } from "node:fs";
import { decodeBase64 } from "../lib/domain/tlog/note.ts";
import { verifyProofBundle } from "../lib/domain/tlog/proof.ts";

type Options = { file: string; logKey: string; witnessKeys: string[]; quorum?: number };

function usage(message: string): never {
  console.error(`audit:verify-proof: ${message}`);
  console.error(
    "usage: audit:verify-proof <file> --log-key <vkey> [--witness-key <vkey>]... [--quorum <n>]",
  );
  process.exit(2);
}

function options(args: string[]): Options {
  let file: string | undefined;
  let logKey = process.env.AUDIT_LOG_VKEY?.trim();
  const witnessKeys = (process.env.AUDIT_WITNESS_VKEYS ?? "").split(/[\s,]+/).filter(Boolean);
  let quorum: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => args[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--log-key") logKey = value();
    else if (arg === "--witness-key") witnessKeys.push(value());
    else if (arg === "--quorum") quorum = Number(value());
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else if (file) usage("one file at a time");
    else file = arg;
  }
  if (!file) usage("no proof file");
  if (!logKey) usage("no log key (--log-key or AUDIT_LOG_VKEY)");
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum >= 0)) usage("bad --quorum");
  return { file, logKey, witnessKeys, quorum };
}

/** Checks one exported event: what it proved, what failed, or why there is nothing to check. */
function check(
  line: string,
  opts: Options,
): { ok: string } | { failed: string } | { skipped: string } {
  let event: { entry?: unknown; signature?: unknown; position?: unknown; proof?: unknown };
  try {
    event = JSON.parse(line);
  } catch {
    return { failed: "not JSON" };
  }
  // An export's end line, and events newer than the export's checkpoint, carry no proof.
  if (typeof event === "object" && event !== null && "end" in event)
    return { skipped: "the export's end line" };
  if (event.proof === null && Number.isSafeInteger(event.position))
    return { skipped: `position ${String(event.position)} is newer than the export's checkpoint` };
  const entry = typeof event.entry === "string" ? decodeBase64(event.entry) : null;
  const signature = typeof event.signature === "string" ? decodeBase64(event.signature) : null;
  if (!entry) return { failed: "entry: not base64" };
  if (!signature || signature.length !== 64) return { failed: "signature: not 64 bytes of base64" };
  if (!Number.isSafeInteger(event.position)) return { failed: "position: not an integer" };
  if (typeof event.proof !== "string") return { failed: "proof: missing" };
  const result = verifyProofBundle({
    bundle: event.proof,
    leaf: { signature, entry },
    logVerifierKey: opts.logKey,
    witnessVerifierKeys: opts.witnessKeys,
    witnessQuorum: opts.quorum,
  });
  if (!result.ok) return { failed: `${result.failed}: ${result.message}` };
  if (result.index !== event.position) {
    return { failed: `position: the proof is for index ${result.index}, not ${event.position}` };
  }
  const witnesses = result.witnesses.length ? `, cosigned by ${result.witnesses.join(", ")}` : "";
  return {
    ok: `position ${result.index} in ${result.checkpoint.origin} at size ${result.checkpoint.size}${witnesses}`,
  };
}

const opts = options(process.argv.slice(2));
let text: string;
try {
  text = readFileSync(opts.file, "utf8");
} catch (error) {
  usage((error as Error).message);
}
let checked = 0;
let failed = 0;
text.split("\n").forEach((line, i) => {
  if (!line.trim()) return;
  const result = check(line, opts);
  if ("skipped" in result) {
    console.log(`line ${i + 1}: skipped, ${result.skipped}`);
    return;
  }
  checked++;
  if ("ok" in result) {
    console.log(`line ${i + 1}: ok, ${result.ok}`);
  } else {
    failed++;
    console.log(`line ${i + 1}: FAILED ${result.failed}`);
  }
});
if (checked === 0) console.log("no events in the file");
console.log(`${checked - failed} of ${checked} events verified`);
process.exit(failed === 0 && checked > 0 ? 0 : 1);
