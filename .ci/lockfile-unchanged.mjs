// Checks that `npm install` left package-lock.json as committed, apart from optional packages it
// listed or dropped. The registry this machine reaches answers unevenly for optional packages
// (platform builds such as @next/swc-darwin-x64, the WebAssembly fallback of @tailwindcss/oxide):
// one install lists them and the next does not, so their coming and going says nothing about
// drift. Every other difference fails the run: a dependency added, removed or moved to another
// version without its lock, or an optional package present in both at different versions.
// Usage: node .ci/lockfile-unchanged.mjs
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const committed = JSON.parse(
  execFileSync("git", ["show", "HEAD:package-lock.json"], { encoding: "utf8" }),
).packages;
const installed = JSON.parse(readFileSync("package-lock.json", "utf8")).packages;

const paths = [...new Set([...Object.keys(committed), ...Object.keys(installed)])];
const changed = paths.filter((path) => {
  const before = committed[path];
  const after = installed[path];
  // An optional package one install lists and another does not.
  if (!before || !after) return (before ?? after).optional !== true;
  return JSON.stringify(before) !== JSON.stringify(after);
});
if (changed.length > 0) {
  console.error(
    `npm install changed package-lock.json beyond optional packages coming and going:\n  ${changed.slice(0, 20).join("\n  ")}`,
  );
  process.exit(1);
}
console.log("ok: package-lock.json is as committed (optional packages aside)");
