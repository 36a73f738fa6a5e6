/**
 * Self-service on /account reaches every application (issue 15; decisions 034 and 036): a person
 * reports a device lost and then, signed in again, signs out everywhere; a Shared Signals
 * receiver gets a credential-change (revoke, initiated by the user) for the lost passkey, the
 * sessions the report ended, and a session-revoked for signing out everywhere, in that order.
 */
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { reportPasskeyLost, signOutEverywhere } from "@/lib/server/account-changes";
import { hashToken, newToken } from "@/lib/server/secrets";
import { deliverSsf } from "@/lib/server/ssf/deliver";
import { ssfIssuer } from "@/lib/server/ssf/issuer";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";

import { startSsfReceiver } from "@/tests/ssf-receiver";
import { pushStreamTo } from "@/tests/ssf-streams";

const AUTHORIZATION = "Bearer receiver-secret";
const AUDIENCE = "https://mail.example.com/ssf";
let receiver: Awaited<ReturnType<typeof startSsfReceiver>>;

beforeAll(async () => {
  const response = await getJwks(new Request("http://localhost:3000/ssf/jwks"));
  receiver = await startSsfReceiver({
    jwks: (await response.json()) as JSONWebKeySet,
    issuer: ssfIssuer(),
    audience: AUDIENCE,
    authorization: AUTHORIZATION,
  });
});
afterAll(async () => {
  await receiver.stop();
});

async function sessionOf(userId: string) {
  const token = newToken();
  await db.workforceSession.create({
    data: {
      userId,
      tokenHash: hashToken(token),
      method: "passkey",
      expiresAt: new Date(Date.now() + 60 * 60_000),
      verifiedAt: new Date(),
    },
  });
  return token;
}

describe("changes on /account, told to a Shared Signals receiver", () => {
  it("sends credential-change (revoke) and session-revoked for a lost device, and session-revoked for signing out everywhere", async () => {
    await pushStreamTo({
      name: "Mail",
      url: receiver.url,
      audience: AUDIENCE,
      authorization: AUTHORIZATION,
    });
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const address = user.emails[0]!.address;
    const lost = user.passkeys[0]!;

    await reportPasskeyLost({
      token: await sessionOf(user.id),
      passkeyId: lost.id,
      confirmLast: false,
    });
    await signOutEverywhere({ token: await sessionOf(user.id) });

    for (let i = 0; i < 3; i++) await deliverSsf(db, { issuer: ssfIssuer() });
    expect(receiver.refused).toEqual([]);
    const theirs = receiver.accepted.filter((set) => set.subject.email === address);
    expect(theirs.map((set) => set.type.split("/").at(-1))).toEqual([
      "credential-change",
      "session-revoked",
      "session-revoked",
    ]);
    expect(theirs[0]!.claims).toMatchObject({
      change_type: "revoke",
      fido2_aaguid: lost.aaguid,
      initiating_entity: "user",
      reason_admin: { en: "Passkey revoked: device reported lost" },
    });
    expect(theirs[2]!.claims).toMatchObject({
      initiating_entity: "user",
      reason_admin: { en: "The person signed out everywhere" },
    });
  });
});
