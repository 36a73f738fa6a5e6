import "server-only";
/**
 * Runs `work` and answers no sooner than `ms` after it began, whether it returned or threw: the
 * time a caller measures says nothing about which path ran inside (a known or an unknown email,
 * say). A path slower than `ms` is not padded; keep `ms` above the slow path's usual time.
 */
import { setTimeout as sleep } from "node:timers/promises";

export async function atLeast<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const settled = await work().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const left = ms - (performance.now() - start);
  if (left > 0) await sleep(left);
  if (settled.ok) return settled.value;
  throw settled.error;
}
