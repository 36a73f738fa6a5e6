import pg from "pg";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, lastMessageTo, verifiedStandardCase } from "@/tests/recovery";
import { issueTap } from "./issue-tap";
import { redeemTap } from "./redeem-tap";
import { revokePasskeys } from "./revoke-passkeys";
import { hashToken, newToken } from "./secrets";

async function withPass() {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  const code = normalizeTapCode(
    (await lastMessageTo(address)).text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!,
  )!;
  return { agent, user, caseId, address, code };
}

describe("revokePasskeys", () => {
  it("lets an agent revoke one passkey at once, ending the user's sessions, audited and notified", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 2 });
    await db.workforceSession.create({
      data: {
        userId: user.id,
        tokenHash: hashToken(newToken()),
        method: "passkey",
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    const [lost, kept] = user.passkeys;

    expect(
      await revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ONE", passkeyId: lost!.id },
        reason: "LOST",
      }),
    ).toEqual({ revoked: 1 });

    expect(await db.passkey.findUniqueOrThrow({ where: { id: lost!.id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "LOST",
      revokedById: agent.id,
    });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: kept!.id } })).status).toBe("ACTIVE");
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.revocation.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      scope: "ONE",
      passkeyId: lost!.id,
      reason: "LOST",
      actorId: agent.id,
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorRole: "AGENT",
      data: { scope: "ONE", reason: "LOST", revokedPasskeys: 1, endedSessions: 1 },
    });
    expect((await lastMessageTo(user.emails[0]!.address)).kind).toBe("passkey.revoked");
  });

  it("revoke-all leaves nothing that works: passkeys, pass, links, approvals, sessions, challenges", async () => {
    const { agent, user, caseId, address, code } = await withPass();
    await db.approval.create({
      data: { caseId, requestedById: agent.id, snapshot: {}, snapshotHash: "h" },
    });
    await db.webAuthnChallenge.create({
      data: {
        challenge: newToken(),
        purpose: "register",
        userId: user.id,
        expiresAt: new Date(Date.now() + 60_000),
      },
    });

    await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ALL" },
      reason: "STOLEN",
      caseId,
    });

    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    expect(await db.approval.findFirstOrThrow({ where: { caseId } })).toMatchObject({
      status: "VOIDED",
    });
    expect(await db.webAuthnChallenge.count({ where: { userId: user.id, usedAt: null } })).toBe(0);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "REVOKED",
    );
    const refused = await redeemTap({ email: address, code }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "passkey.revoked" } }),
    ).toMatchObject({
      data: {
        scope: "ALL",
        reason: "STOLEN",
        revokedPasskeys: 1,
        voidedPasses: 1,
        voidedApprovals: 1,
      },
    });
  });

  it("needs no supervisor, and a security reviewer may revoke too (decision 025), audited with their role", async () => {
    const reviewer = await actor("SECURITY");
    const user = await createWorkforceUser(db, { passkeys: 1 });
    expect(
      await revokePasskeys({
        actor: reviewer,
        userId: user.id,
        request: { scope: "ALL" },
        reason: "STOLEN",
      }),
    ).toEqual({ revoked: 1 });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "passkey.revoked",
      outcome: "ALLOWED",
      actorId: reviewer.id,
      actorRole: "SECURITY",
    });
  });

  it("refuses to revoke a passkey that is not this user's active one", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const other = await createWorkforceUser(db, { passkeys: 1 });
    const error = await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ONE", passkeyId: other.passkeys[0]!.id },
      reason: "LOST",
    }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("CONFLICT");
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { id: other.passkeys[0]!.id } })).status,
    ).toBe("ACTIVE");
  });

  it("wins against redemptions in flight: afterwards no session and no usable pass remain", async () => {
    for (let round = 0; round < 5; round++) {
      const { agent, user, address, code } = await withPass();
      const racers = [
        ...Array.from({ length: 10 }, () => redeemTap({ email: address, code })),
        revokePasskeys({
          actor: agent,
          userId: user.id,
          request: { scope: "ALL" },
          reason: "STOLEN",
        }),
        ...Array.from({ length: 10 }, () => redeemTap({ email: address, code })),
      ];
      await Promise.allSettled(racers);
      expect(
        await db.workforceSession.count({ where: { userId: user.id } }),
        `round ${round}`,
      ).toBe(0);
      expect(
        await db.temporaryAccessPass.count({
          where: { userId: user.id, usedAt: null, voidedAt: null },
        }),
      ).toBe(0);
    }
  });

  it("wins a scripted interleaving: a redemption stalled between its session and its commit", async () => {
    const { agent, user, address, code } = await withPass();
    // LOCK TABLE … SHARE needs privileges the application role does not have on the audit table.
    const blocker = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
    await blocker.connect();
    const waitingOn = async (table: string) =>
      Number(
        (
          await blocker.query(
            `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted AND c.relname = $1`,
            [table],
          )
        ).rows[0].count,
      );
    try {
      // Stall every audit write: the redemption will have written its session, uncommitted.
      await blocker.query("BEGIN");
      await blocker.query(`LOCK TABLE "AuditEvent" IN SHARE MODE`);
      const redemption = redeemTap({ email: address, code });
      await expect.poll(() => waitingOn("AuditEvent")).toBe(1);
      // Revoke-all starts while the redemption is in flight; it must wait for it, not miss it.
      const revocation = revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ALL" },
        reason: "STOLEN",
      });
      await expect
        .poll(async () =>
          Number(
            (await blocker.query(`SELECT count(*) FROM pg_locks WHERE NOT granted`)).rows[0].count,
          ),
        )
        .toBeGreaterThanOrEqual(2);
      await blocker.query("COMMIT");
      await Promise.allSettled([redemption, revocation]);
    } finally {
      await blocker.end();
    }
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { subjectUserId: user.id, action: "passkey.revoked" } }),
    ).toBe(1);
  });
});
