/**
 * The repository stands alone: no file may cite documents that live outside it (the security
 * checklist, product brief, style guide and stack notes kept beside the repository, or any
 * path into the folder next to it). Cite docs/security-requirements.md, docs/product.md,
 * docs/ARCHITECTURE.md or docs/decisions/ instead.
 *
 * Reads every file git tracks, plus untracked files that are not ignored, so a new file is
 * caught before it is committed. package-lock.json and prisma/migrations/ (applied migrations
 * and the datamodel copies they were made from, which must never be edited) are skipped.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

// Built from parts so that this file does not match itself.
const OUTSIDE_DOCS = ["SECURITY", "PRODUCT", "STYLE", "STACK", "AUDIT-CHAIN"];
const FORBIDDEN = new RegExp(
  [String.raw`\.\.\/shared\b`, `\\b(?:${OUTSIDE_DOCS.join("|")})\\.md\\b`].join("|"),
);

function gitFiles(...args: string[]): string[] {
  const out = execFileSync("git", ["ls-files", "-z", ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split("\0").filter(Boolean);
}

function checkedFiles(): string[] {
  const files = new Set([...gitFiles(), ...gitFiles("--others", "--exclude-standard")]);
  return [...files]
    .filter((file) => file !== "package-lock.json" && !file.startsWith("prisma/migrations/"))
    .filter((file) => {
      const full = path.join(root, file);
      // A tracked file deleted in the working tree, or a submodule, has nothing to read.
      return existsSync(full) && statSync(full).isFile();
    })
    .sort();
}

function offences(file: string): string[] {
  const bytes = readFileSync(path.join(root, file));
  if (bytes.includes(0)) return []; // binary
  return bytes
    .toString("utf8")
    .split(/\r?\n/)
    .flatMap((line, index) => {
      const match = FORBIDDEN.exec(line);
      return match ? [`${file}:${index + 1}: ${match[0]} in "${line.trim().slice(0, 160)}"`] : [];
    });
}

describe("the repository stands alone", () => {
  const files = checkedFiles();

  it("finds the files to check", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("tests/unit/stands-alone.test.ts");
  });

  it("recognises a citation of an outside document, but not the docs that replace them", () => {
    for (const name of OUTSIDE_DOCS) expect(FORBIDDEN.test(`see ${name}.md A1`)).toBe(true);
    expect(FORBIDDEN.test("see ../" + "shared/notes.txt")).toBe(true);
    for (const line of [
      "docs/security-requirements.md B5",
      "docs/product.md",
      "role: SECURITY",
      "docs/ARCHITECTURE.md",
    ]) {
      expect(FORBIDDEN.test(line)).toBe(false);
    }
  });

  it("cites no document outside the repository", () => {
    const found = files.flatMap(offences);
    expect(found, `Cite docs/ in this repository instead:\n${found.join("\n")}`).toEqual([]);
  });
});
