/**
 * The tokens outside systems hold (SCIM for the identity provider, Shared Signals for receivers):
 * rotating or revoking one that is not there, or no longer active, is a refusal that changes
 * nothing and is audited with who tried, like every other decision.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isDomainError } from "@/lib/domain/errors";
import { PATCH } from "@/app/scim/v2/Users/[id]/route";
import { issueScimToken, revokeScimToken, rotateScimToken } from "@/lib/server/scim/tokens";
import { issueReceiverToken, revokeReceiverToken } from "@/lib/server/ssf/tokens";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

async function refusalsBy(staffId: string, action: string) {
  return db.auditEvent.findMany({ where: { actorId: staffId, action, outcome: "REFUSED" } });
}

describe("tokens of outside systems", () => {
  it("refuses, audited, to rotate or revoke a SCIM token that is unknown or already revoked", async () => {
    const reviewer = await actor("SECURITY");
    const { id } = await issueScimToken({ staff: reviewer, name: "Okta", scopes: ["users:read"] });
    await revokeScimToken({ staff: reviewer, id });
    for (const attempt of [
      () => revokeScimToken({ staff: reviewer, id }),
      () => rotateScimToken({ staff: reviewer, id }),
      () => revokeScimToken({ staff: reviewer, id: randomUUID() }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isDomainError(error) && error.code).toBe("NOT_FOUND");
    }
    expect(await refusalsBy(reviewer.id, "scim.request_refused")).toHaveLength(3);
    expect(await db.scimToken.count({ where: { name: "Okta" } })).toBe(1);
  });

  it("refuses, audited, to revoke a receiver token that is unknown or already revoked", async () => {
    const reviewer = await actor("SECURITY");
    const { id } = await issueReceiverToken({ actor: reviewer, name: "Chat" });
    await revokeReceiverToken({ actor: reviewer, id });
    for (const target of [id, randomUUID()]) {
      const error = await revokeReceiverToken({ actor: reviewer, id: target }).catch(
        (e: unknown) => e,
      );
      expect(isDomainError(error) && error.code).toBe("NOT_FOUND");
    }
    expect(await refusalsBy(reviewer.id, "ssf.request_refused")).toHaveLength(2);
  });

  it("a SCIM write to an id nobody has is one audited refusal, a 404", async () => {
    const reviewer = await actor("SECURITY");
    const { id: tokenId, token } = await issueScimToken({
      staff: reviewer,
      name: "Entra",
      scopes: ["users:read", "users:write"],
    });
    const nobody = randomUUID();
    const before = await db.auditEvent.count();
    const response = await PATCH(
      new Request(`http://localhost:3000/scim/v2/Users/${nobody}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Replace", path: "active", value: "False" }],
        }),
      }),
      { params: Promise.resolve({ id: nobody }) },
    );
    expect(response.status).toBe(404);
    const rows = await db.auditEvent.findMany({ orderBy: { createdAt: "asc" }, skip: before });
    expect(rows.map((row) => [row.action, row.outcome, row.targetId])).toEqual([
      ["scim.request_refused", "REFUSED", tokenId],
    ]);
  });
});
