/**
 * The committed JSON Schema is what scripts/ocsf-compile.ts makes from the vendored OCSF source
 * (docs/decisions/018-ocsf-events.md), and the vendored files are the ones the compiler reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPILED_SCHEMA, compileOcsf, VENDORED_SCHEMA } from "@/scripts/ocsf-compile";

function vendoredFiles(dir = VENDORED_SCHEMA): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? vendoredFiles(path.join(dir, entry.name))
      : [path.relative(VENDORED_SCHEMA, path.join(dir, entry.name)).split(path.sep).join("/")],
  );
}

describe("the compiled OCSF schema", () => {
  const compiled = compileOcsf();

  it("is what recompiling the vendored source gives", () => {
    expect(JSON.parse(readFileSync(COMPILED_SCHEMA, "utf8"))).toEqual(compiled.schema);
  });

  it("pins OCSF 1.9.0-dev", () => {
    expect(compiled.version).toBe("1.9.0-dev");
  });

  it("comes from exactly the vendored files it reads, with the licence, notice and provenance", () => {
    expect(vendoredFiles().sort()).toEqual(
      [...compiled.files, "LICENSE", "NOTICE", "README.md"].sort(),
    );
  });
});
