/**
 * The log's proofs and its signer: one event's inclusion proof against the latest checkpoint
 * (beside one indexed read, the floor), and the signer's incremental round after N new events,
 * appended through the product's write path (50 per transaction).
 */
import { verifyInclusion } from "../../lib/domain/tlog/merkle.ts";
import { eventLeafHash } from "../../lib/domain/tlog/proof.ts";
import { auditedTransaction, recordAudit } from "../../lib/server/audit.ts";
import { latestCheckpoint, signRound } from "../../lib/server/audit-log-signer.ts";
import { signerConfig } from "../../lib/server/audit-log-config.ts";
import { inclusionProofAt } from "../../lib/server/audit-tiles.ts";
import { fmt, load, percentile, type BenchContext } from "./common.ts";

export async function run(ctx: BenchContext) {
  const db = ctx.db;
  const config = signerConfig();
  if (!config)
    return console.log("\ninclusion proofs: no checkpoint key (AUDIT_SIGNING_KEY_FILE), skipped");
  const latest = await latestCheckpoint(db, config);
  if (!latest) return console.log("\ninclusion proofs: no checkpoint yet, skipped");
  const SAMPLES = 200;
  const positions = Array.from({ length: SAMPLES }, () => Math.floor(Math.random() * latest.size));
  const leaves = new Map<number, Buffer>();
  for (const position of positions) {
    const row = await db.auditEvent.findUniqueOrThrow({
      where: { position },
      select: { entry: true, signature: true },
    });
    leaves.set(position, eventLeafHash(row.signature!, row.entry!));
  }
  const proofTimes: number[] = [];
  const floorTimes: number[] = [];
  let failures = 0;
  for (const position of positions) {
    let start = performance.now();
    const proof = await inclusionProofAt(db, position, latest.size);
    if (!verifyInclusion(leaves.get(position)!, position, latest.size, proof, latest.rootHash))
      failures++;
    proofTimes.push(performance.now() - start);
    start = performance.now();
    await db.auditEvent.findUnique({ where: { position }, select: { id: true } });
    floorTimes.push(performance.now() - start);
  }
  const p = (values: number[], n: number) => percentile(values, n).toFixed(2).padStart(6);
  console.log(
    `\none event's inclusion proof at size ${fmt(latest.size)} (${SAMPLES} random positions, ${load()})`,
  );
  console.log(
    `  inclusionProofAt + verifyInclusion                 p50 ${p(proofTimes, 50)} ms   p95 ${p(proofTimes, 95)} ms   (${(percentile(proofTimes, 50) / percentile(floorTimes, 50)).toFixed(1)}× the floor)${failures ? `   ${failures} DID NOT VERIFY` : ""}`,
  );
  console.log(
    `  floor: one indexed SELECT by position              p50 ${p(floorTimes, 50)} ms   p95 ${p(floorTimes, 95)} ms`,
  );

  // The signer's round after N new events, appended through the product's path (50 per transaction).
  console.log(`\nincremental signer round (signRound, force) after N new events (${load()})`);
  for (const n of [1_000, 10_000]) {
    for (let done = 0; done < n; done += 50)
      await auditedTransaction(db, async (tx) => {
        for (let i = 0; i < Math.min(50, n - done); i++)
          await recordAudit(tx, {
            action: "access.denied",
            outcome: "REFUSED",
            reason: "FORBIDDEN",
            actor: { type: "SYSTEM", name: "benchmark" },
            data: { permission: "benchmark", path: "/benchmark" },
          });
      });
    const start = performance.now();
    const result = await signRound(db, config, { force: true });
    const ms = performance.now() - start;
    console.log(
      `  ${fmt(n).padStart(6)} new events: ${result.kind === "signed" ? `signed size ${fmt(result.size)}` : result.kind} in ${(ms / 1000).toFixed(2)} s (${fmt(n / (ms / 1000))} rows/s)`,
    );
  }
}
