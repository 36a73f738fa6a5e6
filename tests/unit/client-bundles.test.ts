/**
 * Lean client bundles (issue 11): what a "use client" module imports is shipped to every browser
 * that opens the page. No client module may reach, through any chain of imports, zod (the policy
 * module's schemas once added 35 kB gz to /users/[userId]), `server-only`, the server's modules
 * (lib/server, lib/db, the generated Prisma client), Node built-ins, or a charting library.
 * Constants a form needs live in small shared modules (e.g. lib/domain/case-vocabulary.ts) that
 * the zod-bearing modules import in turn.
 *
 * The walk starts at every "use client" file under app/ and components/, follows relative and
 * `@/` imports, re-exports and dynamic `import()`, and stops at packages (checked by name) and at
 * "use server" modules (the browser gets only a reference to each action, never its module).
 * Type-only imports are erased by the compiler and are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const CLIENT_DIRS = ["app", "components"];
/**
 * Modules that may import a charting library (and must then be loaded with next/dynamic where
 * shown). None: the reports draw their bars as server-rendered SVG (app/(console)/reports/bar-chart.tsx).
 */
const CHART_MODULES: readonly string[] = [];
const CHART_PACKAGES = ["recharts", "chart.js", "d3", "victory", "@nivo"];
const SERVER_PACKAGES = ["zod", "server-only", "@prisma/client", "@prisma/adapter-pg", "pg"];
const EXTENSIONS = [".ts", ".tsx", ".js", ".mjs", ".json"];

type Source = { read(file: string): string | null };
type Edge = { specifier: string; dynamic: boolean };

const diskSource: Source = {
  read(file) {
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, "utf8") : null;
  },
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function directives(text: string, file: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    found.push(statement.expression.text);
  }
  return found;
}

/** The imports that survive compilation: `import type` and all-`type` specifier lists are erased. */
function importsOf(text: string, file: string): Edge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const edges: Edge[] = [];
  const allTypes = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) =>
    elements.length > 0 && elements.every((element) => element.isTypeOnly);
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const erased =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            allTypes(clause.namedBindings.elements)));
      if (!erased) edges.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const erased =
        node.isTypeOnly ||
        (!!node.exportClause &&
          ts.isNamedExports(node.exportClause) &&
          allTypes(node.exportClause.elements));
      if (!erased) edges.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      edges.push({ specifier: node.arguments[0].text, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function resolveLocal(from: string, specifier: string, source: Source): string | null {
  const base = specifier.startsWith("@/")
    ? path.join(root, specifier.slice(2))
    : path.resolve(path.dirname(from), specifier);
  const candidates = [
    base,
    ...EXTENSIONS.map((ext) => base + ext),
    ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`)),
  ];
  return candidates.find((candidate) => source.read(candidate) !== null) ?? null;
}

/** Why a package may not be in a client bundle, or null. `importer` is relative to the root. */
function packageProblem(name: string, importer: string): string | null {
  if (name.startsWith("node:") || builtinModules.includes(name)) return "a Node built-in";
  if (SERVER_PACKAGES.includes(name)) return "server-side code";
  const chart = CHART_PACKAGES.some(
    (p) => name === p || name.startsWith(`${p}/`) || name.startsWith(`${p}-`),
  );
  if (chart && !CHART_MODULES.includes(importer))
    return "a charting library outside the chart modules";
  return null;
}

function localProblem(file: string): string | null {
  if (file.startsWith("lib/server/")) return "a server module (lib/server)";
  if (file === "lib/db.ts" || file === "lib/create-db.ts") return "the database client";
  if (file.startsWith("generated/prisma/")) return "the generated Prisma client";
  return null;
}

type Violation = { chain: string[]; reached: string; why: string };

/** Walks from each client entry; returns every forbidden module reached, with one chain to it. */
function clientViolations(entries: string[], source: Source = diskSource): Violation[] {
  const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");
  const parent = new Map<string, string | null>(entries.map((entry) => [entry, null]));
  const chainTo = (file: string) => {
    const chain: string[] = [];
    for (let at: string | null | undefined = file; at; at = parent.get(at)) chain.unshift(rel(at));
    return chain;
  };
  const violations: Violation[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = source.read(file);
    if (text === null) {
      violations.push({
        chain: chainTo(file),
        reached: rel(file),
        why: "a module that does not resolve",
      });
      continue;
    }
    // The browser gets a reference to each server action, never the module behind it.
    if (parent.get(file) !== null && directives(text, file).includes("use server")) continue;
    const problem = localProblem(rel(file));
    if (problem) {
      violations.push({ chain: chainTo(file), reached: rel(file), why: problem });
      continue;
    }
    for (const { specifier } of importsOf(text, file)) {
      if (specifier.startsWith(".") || specifier.startsWith("@/")) {
        const target = resolveLocal(file, specifier, source);
        if (!target) {
          violations.push({
            chain: chainTo(file),
            reached: specifier,
            why: "a module that does not resolve",
          });
        } else if (!parent.has(target)) {
          parent.set(target, file);
          queue.push(target);
        }
      } else {
        const why = packageProblem(packageName(specifier), rel(file));
        if (why) violations.push({ chain: chainTo(file), reached: specifier, why });
      }
    }
  }
  return violations;
}

const format = (v: Violation) => `${v.chain.join(" → ")} reaches ${v.reached}: ${v.why}`;

const isClientFile = (file: string) =>
  /\.(ts|tsx)$/.test(file) &&
  !/\.test\.tsx?$/.test(file) &&
  directives(readFileSync(file, "utf8"), file).includes("use client");

describe("client bundles", () => {
  const entries = CLIENT_DIRS.flatMap((dir) => filesUnder(path.join(root, dir))).filter(
    isClientFile,
  );

  it("finds the client modules", () => {
    expect(entries.length).toBeGreaterThan(15);
    expect(entries).toContain(path.join(root, "components/action-form.tsx"));
  });

  it("reach no zod, server-only code, server modules, Node built-ins or charting library", () => {
    expect(clientViolations(entries).map(format)).toEqual([]);
  });
});

describe("the client import walker", () => {
  const at = (file: string) => path.join(root, file);
  const memory = (files: Record<string, string>): Source => ({
    read: (file) => files[path.relative(root, file).split(path.sep).join("/")] ?? null,
  });

  it("follows `@/` and relative imports and re-exports to a zod-bearing module", () => {
    const source = memory({
      "app/form.tsx": `"use client";\nimport { LABELS } from "@/lib/domain/labels";`,
      "lib/domain/labels.ts": `export { LABELS } from "./policy";`,
      "lib/domain/policy.ts": `import { z } from "zod";\nexport const LABELS = {};`,
    });
    expect(clientViolations([at("app/form.tsx")], source).map(format)).toEqual([
      "app/form.tsx → lib/domain/labels.ts → lib/domain/policy.ts reaches zod: server-side code",
    ]);
  });

  it("ignores type-only imports and stops at 'use server' modules", () => {
    const source = memory({
      "app/form.tsx": [
        `"use client";`,
        `import type { Policy } from "@/lib/domain/policy";`,
        `import { type Flag } from "@/lib/domain/policy";`,
        `import { act } from "./actions";`,
      ].join("\n"),
      "app/actions.ts": `"use server";\nimport { db } from "@/lib/db";\nimport "server-only";`,
      "lib/domain/policy.ts": `import { z } from "zod";`,
    });
    expect(clientViolations([at("app/form.tsx")], source)).toEqual([]);
  });

  it("follows dynamic imports and reports server modules, Node built-ins and charts", () => {
    const source = memory({
      "app/form.tsx": [
        `"use client";`,
        `const Chart = dynamic(() => import("./chart"));`,
        `import { x } from "@/lib/server/audit";`,
        `import { readFileSync } from "node:fs";`,
      ].join("\n"),
      "app/chart.tsx": `import { BarChart } from "recharts";`,
      "lib/server/audit.ts": ``,
    });
    expect(
      clientViolations([at("app/form.tsx")], source)
        .map((v) => v.why)
        .sort(),
    ).toEqual([
      "a Node built-in",
      "a charting library outside the chart modules",
      "a server module (lib/server)",
    ]);
  });
});
