import { describe, expect, it } from "vitest";
import { attempt } from "@/lib/action-state";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "./database-unavailable";
import { DomainError } from "./errors";

describe("the database going away", () => {
  it("is told apart from a bug: socket codes, shutdown SQLSTATEs, a standby's read-only refusal, no primary", () => {
    const withCode = (code: string) => Object.assign(new Error("x"), { code });
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ENOPRIMARY", "57P01", "08006", "25006"])
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    // Wrapped, as Prisma and the driver adapter wrap it.
    expect(
      isDatabaseUnavailable(new Error("outer", { cause: { kind: "DatabaseNotReachable" } })),
    ).toBe(true);
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: withCode("57P01") } })).toBe(true);
  });

  it("is not a constraint violation, a rule's refusal or any other error", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("dup"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("undefined is not a function"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it("makes an action answer 'try again' instead of throwing; other errors still throw", async () => {
    const lost = Object.assign(new Error("Connection terminated unexpectedly"), {});
    await expect(attempt(() => Promise.reject(lost))).resolves.toEqual({
      status: "refused",
      message: DATABASE_UNAVAILABLE,
    });
    await expect(
      attempt(() => Promise.reject(new DomainError("CONFLICT", "Already done."))),
    ).resolves.toEqual({ status: "refused", message: "Already done." });
    await expect(attempt(() => Promise.reject(new TypeError("bug")))).rejects.toThrow("bug");
  });
});
