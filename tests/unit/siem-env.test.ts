/**
 * A bad SIEM_SINKS stops the console at start (lib/env.ts validates it with the rest of the
 * configuration), with the sink and the field at fault in the message.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

const base = {
  DATABASE_URL: "postgresql://user:pw@127.0.0.1:5432/console",
  NEXTAUTH_SECRET: "n".repeat(40),
  AUDIT_EVENT_KEY_FILE: "/keys/audit-event-key.pem",
};

async function loadEnv(vars: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...base, ...vars })) vi.stubEnv(name, value);
  return import("@/lib/env");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("SIEM_SINKS in the console's configuration", () => {
  it("refuses a bad list, naming the sink and the field", async () => {
    const logged = vi.mocked(console.error).mockImplementation(() => {});
    await expect(
      loadEnv({ SIEM_SINKS: JSON.stringify([{ name: "hec", type: "webhook", url: "ftp://x" }]) }),
    ).rejects.toThrowError(/Invalid environment variables/);
    const messages = JSON.stringify(logged.mock.calls);
    expect(messages).toContain('sink 1 (\\"hec\\") url');
    expect(messages).toContain("secretFile or secretEnv");
    logged.mockClear();
  });

  it("gives the parsed sinks, the key read from the variable secretEnv names", async () => {
    const { siemSinks } = await loadEnv({
      SIEM_SINKS: JSON.stringify([
        { name: "hec", type: "webhook", url: "https://siem.example/in", secretEnv: "HEC_KEY" },
      ]),
      HEC_KEY: "h".repeat(32),
    });
    expect(siemSinks()).toMatchObject([
      { name: "hec", secret: { env: "HEC_KEY", value: "h".repeat(32) } },
    ]);
  });
});
