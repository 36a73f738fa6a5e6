import { describe, expect, it } from "vitest";
import { logOrigin } from "./audit-log-config";

const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

describe("the audit log's name", () => {
  it("is the console's host and port followed by /audit, as the start script defaults the URL", () => {
    expect(logOrigin(env({}))).toBe("localhost:3000/audit");
    expect(logOrigin(env({ PORT: "3555" }))).toBe("localhost:3555/audit");
    expect(logOrigin(env({ NEXTAUTH_URL: "https://recovery.example.com" }))).toBe(
      "recovery.example.com/audit",
    );
    expect(logOrigin(env({ AUDIT_LOG_ORIGIN: "northwind.example/audit" }))).toBe(
      "northwind.example/audit",
    );
  });
});
