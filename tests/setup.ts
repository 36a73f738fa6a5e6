/**
 * Every test fails if it logs an unexpected console.error (epic-stack's setup-test-env idea):
 * a swallowed error is a bug that a green run would otherwise hide.
 */
import "@testing-library/jest-dom/vitest";

// The JSON log (lib/server/log.ts) stays quiet in tests; the log tests give their loggers a buffer.
process.env.LOG_LEVEL ??= "silent";
import { afterEach, beforeEach, expect, vi } from "vitest";

let errors: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errors = vi.spyOn(console, "error");
});
afterEach(() => {
  const calls = errors.mock.calls;
  errors.mockRestore();
  expect(calls, "console.error was called").toEqual([]);
});
