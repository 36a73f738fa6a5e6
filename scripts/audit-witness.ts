/**
 * `npm run audit:witness`: runs a C2SP tlog-witness for the audit log (lib/witness, docs/tlog.md).
 * `npm run audit:witness -- --init` creates WITNESS_KEY_FILE when missing and prints the
 * witness's vkey, which the console and proof verifiers are configured with.
 */
import { initWitnessKey, witnessConfig, witnessVerifierKey } from "../lib/witness/config.ts";
import { startWitness } from "../lib/witness/index.ts";

const init = process.argv.includes("--init");
try {
  const config = witnessConfig(process.env, { needLogs: !init });
  if (init) {
    console.log(witnessVerifierKey(config.name, initWitnessKey(config.keyFile)));
  } else {
    const { port } = await startWitness(config);
    const origins = config.logs.map((l) => l.origin).join(", ");
    console.log(`witness ${config.name} listening on ${config.host}:${port} for ${origins}`);
  }
} catch (error) {
  console.error(`audit:witness: ${(error as Error).message}`);
  process.exit(2);
}
