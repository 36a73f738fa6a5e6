/**
 * `npm run benchmark`: the console's figures at a large tenant, each beside a floor measured in
 * the same run (a trivial route, the raw SQL, COPY, raw hashing, a bare page), as ratios, with
 * the machine's load. Not a test: it asserts nothing, and the machine may be shared, so read the
 * figures as orders of magnitude and compare ratios, not milliseconds.
 *
 * It prepares what it needs (scripts/bench/setup.ts): the scale data (100,000 users and
 * 1,000,000 audit events, loaded once into .data/bench-postgres, or DATABASE_URL as its owner),
 * the production build, and the console serving it. Then each section runs (scripts/bench/*.ts).
 * BENCH_SECTIONS picks sections (default all, in this order):
 *   bundles, search, audit-page, writes, bulk, verify-load, proofs
 */
import { load, type BenchContext } from "./bench/common.ts";
import { prepare } from "./bench/setup.ts";

type Section = {
  name: string;
  http: boolean;
  run: () => Promise<{ run: (ctx: BenchContext) => Promise<void> }>;
};

const SECTIONS: Section[] = [
  { name: "bundles", http: true, run: () => import("./bench/bundles.ts") },
  { name: "search", http: true, run: () => import("./bench/search.ts") },
  { name: "audit-page", http: false, run: () => import("./bench/audit-page.ts") },
  { name: "writes", http: false, run: () => import("./bench/audited-writes.ts") },
  { name: "bulk", http: false, run: () => import("./bench/bulk-reads.ts") },
  { name: "verify-load", http: true, run: () => import("./bench/verification-load.ts") },
  { name: "proofs", http: false, run: () => import("./bench/proofs.ts") },
];

const wanted = new Set(
  (process.env.BENCH_SECTIONS ?? SECTIONS.map((section) => section.name).join(","))
    .split(",")
    .map((name) => name.trim()),
);
const unknown = [...wanted].filter((name) => !SECTIONS.some((section) => section.name === name));
if (unknown.length) {
  console.error(
    `Unknown BENCH_SECTIONS: ${unknown.join(", ")}. Sections: ${SECTIONS.map((s) => s.name).join(", ")}.`,
  );
  process.exit(2);
}
const chosen = SECTIONS.filter((section) => wanted.has(section.name));
const { ctx, stop } = await prepare({ http: chosen.some((section) => section.http) });
try {
  const events = await ctx.db.auditEvent.count();
  const users = await ctx.db.workforceUser.count();
  console.log(
    `\ndata: ${events.toLocaleString("en")} audit events, ${users.toLocaleString("en")} workforce users (${load()})`,
  );
  for (const section of chosen) await (await section.run()).run(ctx);
} finally {
  await stop();
}
