import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Outside the demo (demo sign-in off) and without SMTP: there is nowhere to deliver to.
beforeAll(() => {
  vi.stubEnv("DEMO_SIGN_IN", "off");
  vi.stubEnv("SMTP_URL", "");
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("mail transport outside the demo, without SMTP", () => {
  it("delivers nothing and stores nothing readable: the delivery fails (and the outbox retries, sealed)", async () => {
    // Imported afresh after the variables are set: lib/env reads them once per module graph.
    vi.resetModules();
    const { mailTransport } = await import("./mail-transport");
    const { db } = await import("@/lib/db");
    const before = await db.demoMailboxMessage.count();
    await expect(
      mailTransport().send({
        to: "someone@northwind.example",
        subject: "Your pass",
        text: "ABCD-EFGH",
      }),
    ).rejects.toThrow(/SMTP_URL/);
    expect(await db.demoMailboxMessage.count()).toBe(before);
  });
});
