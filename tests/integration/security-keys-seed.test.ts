/**
 * The demo's security keys and break-glass account (docs/decisions/039): keys in stock, issued,
 * lost (its passkey revoked) and one due back from a leaver, and one break-glass account.
 */
import { describe, expect, it } from "vitest";
import { listSecurityKeys } from "@/lib/server/security-keys";
import { listBreakGlassAccounts } from "@/lib/server/break-glass";
import { seedDemo } from "@/prisma/seed";
import { db } from "@/tests/db";

describe("the demo's security keys", () => {
  it("has stock, issued keys, a lost key whose passkey is revoked, one due from a leaver, and a break-glass account", async () => {
    const now = new Date();
    await seedDemo(db, { now });
    const keys = await listSecurityKeys("all", now);
    const count = (status: string) => keys.filter((key) => key.status === status).length;
    expect(count("IN_STOCK")).toBe(5);
    expect(count("ISSUED")).toBe(3);
    expect(count("LOST")).toBe(1);
    expect(await listSecurityKeys("due", now)).toHaveLength(1);
    const lost = await db.securityKey.findFirstOrThrow({ where: { status: "LOST" } });
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { id: lost.passkeyId! } })).revokedReason,
    ).toBe("LOST");
    const [account] = await listBreakGlassAccounts();
    expect(account).toMatchObject({ lastTestAt: expect.any(Date), lastUsedAt: null });
  });
});
