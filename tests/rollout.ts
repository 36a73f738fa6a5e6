/**
 * Helpers for the rollout tests (docs/decisions/038): people with exactly the passkeys a scenario
 * needs, and a recent recovery call.
 */
import { randomBytes } from "node:crypto";
import { db } from "./db";
import { createStaff, createWorkforceUser } from "./factories";

const DAY = 24 * 60 * 60 * 1000;

export type Key = { synced: boolean; usedDaysAgo?: number | null; status?: "ACTIVE" | "REVOKED" };

/** A person of a department and tier with these passkeys (synced or device-bound, last used). */
export async function person(
  fields: Parameters<typeof createWorkforceUser>[1] & { department: string },
  keys: readonly Key[] = [],
) {
  const user = await createWorkforceUser(db, { passkeys: 0, ...fields });
  for (const key of keys) await addPasskey(user.id, key);
  return user;
}

export async function addPasskey(userId: string, key: Key) {
  const now = Date.now();
  const usedDaysAgo = key.usedDaysAgo === undefined ? 2 : key.usedDaysAgo;
  return db.passkey.create({
    data: {
      userId,
      credentialId: randomBytes(32).toString("base64url"),
      publicKey: randomBytes(77),
      aaguid: "00000000-0000-0000-0000-000000000000",
      backedUp: key.synced,
      transports: ["internal"],
      createdAt: new Date(now - 400 * DAY),
      lastUsedAt: usedDaysAgo === null ? null : new Date(now - usedDaysAgo * DAY),
      status: key.status ?? "ACTIVE",
      ...(key.status === "REVOKED" ? { revokedAt: new Date(now - DAY) } : {}),
    },
  });
}

/** A recovery case opened for the person `daysAgo` days ago (a call to the desk). */
export async function recoveryCall(userId: string, daysAgo = 5) {
  const agent = await createStaff(db, { role: "AGENT" });
  return db.recoveryCase.create({
    data: {
      userId,
      agentId: agent.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      riskTier: "STANDARD",
      policyVersion: 1,
      status: "CLOSED",
      createdAt: new Date(Date.now() - daysAgo * DAY),
    },
  });
}
