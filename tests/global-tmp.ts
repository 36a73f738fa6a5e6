/**
 * Every test run gets a scratch folder of its own for temporary files (TMPDIR, which
 * `os.tmpdir()` reads and the test workers inherit), removed when the run ends: tests make key
 * files, checkpoint copies and witness state with `mkdtemp`, and none of it outlives the run.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup() {
  const scratch = mkdtempSync(path.join(tmpdir(), "console-test-run-"));
  // Like /tmp itself: the embedded PostgreSQL runs as its own user and writes here too.
  chmodSync(scratch, 0o1777);
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
