/**
 * Every stop that ends a session tells Shared Signals receivers (decision 034, amended in session
 * 12): closing a case or raising a red flag after the person redeemed a pass voids the pass's
 * session, and a receiver gets session-revoked for it, with the stop's reason. A stop that ended
 * no session sends nothing.
 */
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { closeCase } from "@/lib/server/close-case";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { hashToken } from "@/lib/server/secrets";
import { deliverSsf } from "@/lib/server/ssf/deliver";
import { ssfIssuer } from "@/lib/server/ssf/issuer";
import { db } from "@/tests/db";
import { redeemedPassSession, verifiedStandardCase } from "@/tests/recovery";
import { startSsfReceiver } from "@/tests/ssf-receiver";
import { pushStreamTo } from "@/tests/ssf-streams";

const AUTHORIZATION = "Bearer receiver-secret";
const AUDIENCE = "https://crm.example.com/ssf";
let receiver: Awaited<ReturnType<typeof startSsfReceiver>>;

beforeAll(async () => {
  const response = await getJwks(new Request("http://localhost:3000/ssf/jwks"));
  receiver = await startSsfReceiver({
    jwks: (await response.json()) as JSONWebKeySet,
    issuer: ssfIssuer(),
    audience: AUDIENCE,
    authorization: AUTHORIZATION,
  });
  await pushStreamTo({
    name: "CRM",
    url: receiver.url,
    audience: AUDIENCE,
    authorization: AUTHORIZATION,
  });
});
afterAll(async () => {
  await receiver.stop();
});

async function heardAbout(address: string) {
  for (let i = 0; i < 3; i++) await deliverSsf(db, { issuer: ssfIssuer() });
  expect(receiver.refused).toEqual([]);
  return receiver.accepted
    .filter((set) => set.subject.email === address)
    .map((set) => ({ type: set.type.split("/").at(-1), claims: set.claims }));
}

describe("stops that end a redeemed pass's session, told to a Shared Signals receiver", () => {
  it("sends session-revoked when a case is closed after its pass was redeemed", async () => {
    const { agent, caseId, address, token } = await redeemedPassSession();
    await closeCase({ actor: agent, caseId, closeReason: "caller hung up" });
    expect(await db.workforceSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    const heard = await heardAbout(address);
    // The redemption announced the recovery; the close ended its session.
    expect(heard.map((e) => e.type)).toEqual(["recovery-activated", "session-revoked"]);
    expect(heard[1]!.claims).toMatchObject({
      initiating_entity: "admin",
      reason_admin: { en: "Recovery case closed" },
    });
  });

  it("sends session-revoked when a red flag stops a recovery whose pass was redeemed", async () => {
    const { agent, caseId, address, token } = await redeemedPassSession();
    await raiseRedFlag({ actor: agent, caseId, kind: "PRESSURE", note: "caller pushed hard" });
    expect(await db.workforceSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    const heard = await heardAbout(address);
    expect(heard.map((e) => e.type)).toEqual(["recovery-activated", "session-revoked"]);
    expect(heard[1]!.claims).toMatchObject({
      reason_admin: { en: "Red flag raised on a recovery" },
    });
  });

  it("sends nothing for a stop that ended no session", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    await closeCase({ actor: agent, caseId, closeReason: "resolved another way" });
    const closed = await db.auditEvent.findFirstOrThrow({
      where: { caseId, action: "case.closed" },
    });
    expect(closed.outcome).toBe("ALLOWED");
    expect(await heardAbout(user.emails[0]!.address)).toEqual([]);
  });
});
