/**
 * Client JavaScript on a route's first load (issue 11, "lean client bundles"), read from the
 * production build in .next/ (`npm run build` first), beside the floor: a bare Next.js page.
 * Needs no database: `npx tsx scripts/bench/bundles.ts`, or as a section of the benchmark.
 *
 * What the browser loads on a first visit. Next 16 builds with Turbopack and prints no sizes, so
 * this reads the manifests:
 * - `build-manifest.json` rootMainFiles: the framework and the App Router runtime, on every page
 *   (its polyfillFiles are `nomodule` scripts, which browsers with modules never download, so
 *   they are left out);
 * - each page's `.next/server/app/**\/page_client-reference-manifest.js` entryJSFiles: the chunks
 *   of every segment of the route (root layout, its error, not-found and forbidden boundaries, the
 *   group's layout, the page), which the HTML asks for with `<script async>`.
 * That is an upper bound: a browser fetches a boundary's chunks only when they hold a client
 * module the page renders. Checked with Chromium against the production server (fresh cache,
 * Resource Timing's encodedBodySize): /sign-in fetches exactly these 11 files; the console's pages
 * skip one, the 3.3 kB chunk that carries next/link for the 404 and 403 pages, since the console
 * layout's own chunk carries next/link; and the bodies are 0.25 kB over zlib's default level (the
 * server's gzip). Chunks loaded later (next/dynamic, an `import()` on click) are not first-load JS
 * and are not counted.
 *
 * Each file is gzipped with zlib at its default level (6, what the server sends); kB = 1000 bytes.
 *
 * The floor is measured, not assumed: a bare Next.js page (a root layout and a page, no client
 * component of its own), built once with this checkout's next and react in a scratch directory
 * and measured the same way; the figure is kept in .next/cache/ for the same versions.
 * BENCH_BARE_FLOOR=layout skips that build and uses this build's root layout alone instead.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { ratio, type BenchContext } from "./common.ts";

const root = path.resolve(import.meta.dirname, "../..");
const KB = 1000;
/** Issue 11's targets: every route within this of the floor, /reports under REPORTS_LIMIT. */
const OVER_FLOOR_LIMIT = 20 * KB;
const REPORTS_LIMIT = 180 * KB;

type ClientManifest = { entryJSFiles?: Record<string, string[]> };
export type RouteLoad = { route: string; group: string | null; files: string[]; bytes: number };

const gzipped = new Map<string, number>();
function gzipSize(file: string): number {
  let size = gzipped.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(file)).length;
    gzipped.set(file, size);
  }
  return size;
}

function manifestsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return manifestsUnder(full);
    return name === "page_client-reference-manifest.js" ? [full] : [];
  });
}

/** "/(console)/users/[userId]/page" → the URL path "/users/[userId]" and its group "(console)". */
function routeOf(key: string): { route: string; group: string | null } {
  const segments = key
    .replace(/\/page$/, "")
    .split("/")
    .filter(Boolean);
  const group = segments.find((s) => s.startsWith("(") && s.endsWith(")")) ?? null;
  const route = `/${segments.filter((s) => !(s.startsWith("(") && s.endsWith(")"))).join("/")}`;
  return { route, group };
}

/** Every page of the build in `distDir` with the JS its first load fetches, gzipped. */
export function firstLoads(distDir: string): RouteLoad[] {
  const build = JSON.parse(readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  return manifestsUnder(path.join(distDir, "server", "app"))
    .flatMap((file) => {
      const sandbox: { __RSC_MANIFEST?: Record<string, ClientManifest> } = {};
      runInNewContext(readFileSync(file, "utf8"), sandbox);
      return Object.entries(sandbox.__RSC_MANIFEST ?? {});
    })
    .map(([key, manifest]) => {
      const files = [
        ...new Set([...build.rootMainFiles, ...Object.values(manifest.entryJSFiles ?? {}).flat()]),
      ];
      const bytes = files.reduce((sum, f) => sum + gzipSize(path.join(distDir, f)), 0);
      return { ...routeOf(key), files, bytes };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
}

function versionOf(pkg: string): string {
  const file = path.join(root, "node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

type Floor = { bytes: number; files: number; what: string };

/** Builds a bare page with this checkout's next and react (about half a minute), once per version. */
function bareFloor(distDir: string): Floor {
  const versions = `next ${versionOf("next")}, react ${versionOf("react")}`;
  const cacheFile = path.join(distDir, "cache", "bench-bare-page.json");
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as Floor & { versions: string };
    if (cached.versions === versions) return cached;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bare-next-page-"));
  try {
    mkdirSync(path.join(dir, "app"));
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    writeFileSync(path.join(dir, "package.json"), '{ "private": true }\n');
    // The node_modules link points out of the scratch directory: let Turbopack follow it.
    writeFileSync(
      path.join(dir, "next.config.mjs"),
      'export default { turbopack: { root: "/" } };\n',
    );
    writeFileSync(
      path.join(dir, "app", "layout.jsx"),
      'export default function RootLayout({ children }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
    );
    writeFileSync(
      path.join(dir, "app", "page.jsx"),
      "export default function Page() {\n  return <p>Hello</p>;\n}\n",
    );
    const built = spawnSync(
      process.execPath,
      [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"],
      { cwd: dir, encoding: "utf8", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
    );
    if (built.status !== 0)
      throw new Error(`bare page build failed:\n${built.stdout}${built.stderr}`);
    const page = firstLoads(path.join(dir, ".next")).find((load) => load.route === "/");
    if (!page) throw new Error("bare page build has no / page");
    const floor = {
      bytes: page.bytes,
      files: page.files.length,
      what: `a bare Next.js page (root layout + page, no client component; ${versions})`,
    };
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ ...floor, versions }, null, 2));
    return floor;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** This build's root layout alone: the runtime and the layout's chunks, without any page's. */
function layoutFloor(distDir: string, loads: RouteLoad[]): Floor {
  const build = JSON.parse(readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  const bytes = build.rootMainFiles.reduce((sum, f) => sum + gzipSize(path.join(distDir, f)), 0);
  const smallest = Math.min(...loads.map((load) => load.bytes));
  return {
    bytes,
    files: build.rootMainFiles.length,
    what: `this build's rootMainFiles alone (the smallest route loads ${fmtKb(smallest)})`,
  };
}

const fmtKb = (bytes: number) => `${(bytes / KB).toFixed(1)} kB`;
const signed = (bytes: number) =>
  `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / KB).toFixed(1)} kB`;

export async function run(_ctx?: BenchContext) {
  const distDir = path.join(root, ".next");
  console.log(
    "\nclient JavaScript on first load (production build in .next/, each file gzipped at zlib level 6)",
  );
  if (!existsSync(path.join(distDir, "build-manifest.json"))) {
    console.log("  no production build: run `npm run build` first");
    return;
  }
  const loads = firstLoads(distDir).filter((load) => !load.route.startsWith("/_"));
  let floor: Floor;
  try {
    floor =
      process.env.BENCH_BARE_FLOOR === "layout" ? layoutFloor(distDir, loads) : bareFloor(distDir);
  } catch (error) {
    console.log(`  (${(error as Error).message.split("\n")[0]}; falling back to the root layout)`);
    floor = layoutFloor(distDir, loads);
  }
  console.log(`  floor: ${fmtKb(floor.bytes)} in ${floor.files} files, ${floor.what}`);
  console.log(
    `  ${"route".padEnd(22)}${"group".padEnd(11)}${"first load".padStart(11)}${"over floor".padStart(12)}${"ratio".padStart(8)}  target`,
  );
  for (const load of loads) {
    const over = load.bytes - floor.bytes;
    const target =
      load.route === "/reports"
        ? `< ${fmtKb(REPORTS_LIMIT)}: ${load.bytes < REPORTS_LIMIT ? "ok" : "OVER"}`
        : `≤ +${fmtKb(OVER_FLOOR_LIMIT)}: ${over <= OVER_FLOOR_LIMIT ? "ok" : "OVER"}`;
    console.log(
      `  ${load.route.padEnd(22)}${(load.group ?? "").padEnd(11)}${fmtKb(load.bytes).padStart(11)}${signed(over).padStart(12)}${ratio(load.bytes, floor.bytes).padStart(8)}  ${target}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
