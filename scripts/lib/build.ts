/**
 * Whether the production build in .next/ is missing or older than the sources: the start script
 * and the benchmark build first when it is.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** True when there is no production build, or a source file changed after it. */
export function buildIsStale(root: string): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const newer = (entry: string): boolean => {
    if (!existsSync(entry)) return false;
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs > built;
    return readdirSync(entry).some((child) => newer(path.join(entry, child)));
  };
  return [
    "app",
    "components",
    "lib",
    "generated",
    "proxy.ts",
    "instrumentation.ts",
    "next.config.ts",
    "package-lock.json",
    "postcss.config.mjs",
  ].some((entry) => newer(path.join(root, entry)));
}
