import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { lastMessageTo, verifiedStandardCase } from "@/tests/recovery";
import { issueTap } from "./issue-tap";
import { getRepudiation, repudiateRecovery } from "./repudiate-recovery";
import { hashToken, newToken } from "./secrets";

const reportToken = (text: string) => text.match(/\/report\/([A-Za-z0-9_-]{43})/)![1]!;

describe("this wasn't me", () => {
  it("voids the pass, revokes passkeys added since the case opened, ends sessions, revokes the case and alerts security", async () => {
    await createStaff(db, { role: "SECURITY" });
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const token = reportToken((await lastMessageTo(address)).text);
    const oldPasskey = user.passkeys[0]!;
    const added = await db.passkey.create({
      data: {
        userId: user.id,
        credentialId: newToken(),
        publicKey: new Uint8Array([1]),
        aaguid: "00000000-0000-0000-0000-000000000000",
        backedUp: false,
      },
    });
    await db.workforceSession.create({
      data: {
        userId: user.id,
        tokenHash: hashToken(newToken()),
        method: "tap",
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    expect(await getRepudiation(token)).toMatchObject({ name: user.name, reason: "LOST_DEVICE" });

    await repudiateRecovery({ token });

    expect(await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } })).toMatchObject({
      voidReason: "reported by the user as not them",
    });
    expect(await db.passkey.findUniqueOrThrow({ where: { id: added.id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "SUSPECTED_COMPROMISE",
    });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: oldPasskey.id } })).status).toBe(
      "ACTIVE",
    );
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "REVOKED",
    );
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "case.repudiated" } }),
    ).toMatchObject({
      actorType: "WORKFORCE_USER",
      data: { voidedPasses: 1, revokedPasskeys: 1, endedSessions: 1, caseStatus: "REVOKED" },
    });
    expect(
      await db.outboxMessage.count({ where: { caseId, kind: "security.alert" } }),
    ).toBeGreaterThan(0);

    // Used once.
    expect(await getRepudiation(token)).toBeNull();
    const again = await repudiateRecovery({ token }).catch((e: unknown) => e);
    expect((again as DomainError).code).toBe("SEQUENCE");
  });

  it("refuses an unknown link and audits it", async () => {
    const error = await repudiateRecovery({ token: newToken() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } })).toMatchObject({
      action: "case.repudiation_refused",
      outcome: "REFUSED",
    });
  });
});
