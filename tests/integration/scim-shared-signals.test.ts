/**
 * HR deactivation over SCIM reaches every application (issue 14; decisions 033 and 034): a person
 * with a live account session and an outstanding pass is deactivated by the identity provider;
 * the session ends, the pass is refused, and a Shared Signals receiver gets a credential-change
 * (revoke) and an account-disabled for them, signed with the console's published key.
 */
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATCH } from "@/app/scim/v2/Users/[id]/route";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { isDomainError } from "@/lib/domain/errors";
import { issueTap } from "@/lib/server/issue-tap";
import { redeemTap } from "@/lib/server/redeem-tap";
import { resumeWorkforceSession } from "@/lib/server/resume-workforce-session";
import { issueScimToken } from "@/lib/server/scim/tokens";
import { hashToken, newToken } from "@/lib/server/secrets";
import { deliverSsf } from "@/lib/server/ssf/deliver";
import { ssfIssuer } from "@/lib/server/ssf/issuer";
import { db } from "@/tests/db";
import { actor, passIn, redeemedPassSession } from "@/tests/recovery";
import { startSsfReceiver } from "@/tests/ssf-receiver";
import { pushStreamTo } from "@/tests/ssf-streams";

const AUTHORIZATION = "Bearer receiver-secret";
const AUDIENCE = "https://mail.example.com/ssf";
let jwks: JSONWebKeySet;
let receiver: Awaited<ReturnType<typeof startSsfReceiver>>;

beforeAll(async () => {
  const response = await getJwks(new Request("http://localhost:3000/ssf/jwks"));
  jwks = (await response.json()) as JSONWebKeySet;
  receiver = await startSsfReceiver({
    jwks,
    issuer: ssfIssuer(),
    audience: AUDIENCE,
    authorization: AUTHORIZATION,
  });
});
afterAll(async () => {
  await receiver.stop();
});

describe("HR deactivation over SCIM", () => {
  it("ends the live session, refuses the outstanding pass, and tells the receiver: credential-change and account-disabled", async () => {
    await pushStreamTo({
      name: "Mail",
      url: receiver.url,
      audience: AUDIENCE,
      authorization: AUTHORIZATION,
    });

    // A pass redeemed, then a second pass outstanding (issuing it ends the first pass's session),
    // and a live account session signed in with one of the person's passkeys.
    const { agent, user, caseId, address } = await redeemedPassSession();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const outstanding = await passIn(address);
    const passkeys = await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } });
    expect(passkeys).toBeGreaterThan(0);
    const session = newToken();
    await db.workforceSession.create({
      data: {
        userId: user.id,
        tokenHash: hashToken(session),
        method: "passkey",
        verifiedAt: new Date(),
        expiresAt: new Date(Date.now() + 60 * 60_000),
      },
    });
    expect((await resumeWorkforceSession(session))?.user.id).toBe(user.id);

    const { token } = await issueScimToken({
      staff: await actor("SECURITY"),
      name: "Entra ID",
      scopes: ["users:read", "users:write"],
    });
    const response = await PATCH(
      new Request(`http://localhost:3000/scim/v2/Users/${user.id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/scim+json",
        },
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Replace", path: "active", value: "False" }],
        }),
      }),
      { params: Promise.resolve({ id: user.id }) },
    );
    expect(response.status).toBe(200);

    // The session is gone and the pass no longer works.
    expect(await resumeWorkforceSession(session)).toBeNull();
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    const refused = await redeemTap({ email: address, code: outstanding }).catch(
      (error: unknown) => error,
    );
    expect(isDomainError(refused)).toBe(true);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);

    // Every application hears it: signed events for this person, in order.
    for (let i = 0; i < 3; i++) await deliverSsf(db, { issuer: ssfIssuer() });
    expect(receiver.refused).toEqual([]);
    const theirs = receiver.accepted.filter((set) => set.subject.email === address);
    const types = theirs.map((set) => set.type.split("/").at(-1));
    expect(types).toContain("credential-change");
    expect(types).toContain("account-disabled");
    const revoke = theirs.find((set) => set.type.endsWith("/credential-change"))!;
    expect(revoke.claims).toMatchObject({ change_type: "revoke" });
    // The revocation comes before the account is disabled (one transaction, in trail order).
    expect(types.indexOf("credential-change")).toBeLessThan(types.indexOf("account-disabled"));
  });
});
