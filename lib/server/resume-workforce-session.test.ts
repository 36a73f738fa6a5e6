import { describe, expect, it } from "vitest";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { resumeWorkforceSession } from "./resume-workforce-session";
import { hashToken, newToken } from "./secrets";

async function session(hours = 8) {
  const user = await createWorkforceUser(db);
  const token = newToken();
  const start = new Date();
  await db.workforceSession.create({
    data: {
      userId: user.id,
      tokenHash: hashToken(token),
      method: "passkey",
      expiresAt: new Date(start.getTime() + hours * 3_600_000),
      lastSeenAt: start,
    },
  });
  return { user, token, start };
}

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const idle = ACTIVE_POLICY.lifetimes.workforceIdleMinutes;

describe("resumeWorkforceSession", () => {
  it("keeps a session alive while it is used, and ends it after the policy's idle limit", async () => {
    const { user, token, start } = await session();
    // Used just before the idle limit: still live, and marked seen.
    expect(await resumeWorkforceSession(token, minutes(start, idle - 1))).toMatchObject({
      user: { id: user.id },
    });
    // Used again just before the limit counted from that use: still live.
    expect(await resumeWorkforceSession(token, minutes(start, 2 * idle - 2))).not.toBeNull();
    // Then left alone past the limit: gone, and the row with it.
    expect(await resumeWorkforceSession(token, minutes(start, 3 * idle))).toBeNull();
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
  });

  it("ends at the absolute lifetime however busy it is", async () => {
    const { token, start } = await session(1);
    for (let m = 20; m < 60; m += 20)
      expect(await resumeWorkforceSession(token, minutes(start, m))).not.toBeNull();
    expect(await resumeWorkforceSession(token, minutes(start, 61))).toBeNull();
  });
});
