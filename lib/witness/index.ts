/** Starts a witness from its configuration: the service scripts/audit-witness.ts runs. */
import { readWitnessKey, type WitnessConfig } from "./config";
import { listen, witnessServer } from "./server";
import { openStateStore } from "./state";
import { createWitness } from "./witness";

export async function startWitness(config: WitnessConfig, options: { now?: () => number } = {}) {
  const store = await openStateStore(config.stateFile);
  const witness = createWitness({
    name: config.name,
    key: readWitnessKey(config.keyFile),
    logs: config.logs,
    store,
    now: options.now,
  });
  return listen(witnessServer(witness), config.port, config.host);
}
