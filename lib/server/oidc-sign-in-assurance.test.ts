/**
 * Decision 015: an SSO session keeps the ID token's amr and acr; it starts stepped up only when
 * the provider said the sign-in was phishing-resistant (acr "phr"/"phrh" by default), dated at
 * the token's auth_time. A plain SSO sign-in or a demo sign-in never does.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import {
  currentSignInAssurance,
  rememberSignInAssurance,
  withSignInAssurance,
} from "./oidc-sign-in-assurance";
import { newToken } from "./secrets";
import { findStaffSessionFacts } from "./staff-step-up";
import { startStaffSession } from "./start-staff-session";

const now = new Date("2026-11-24T09:00:00Z");
const seconds = (date: Date) => date.getTime() / 1000;

async function sessionWith(method: "oidc" | "demo", claims: Record<string, unknown>) {
  const staff = await createStaff(db, { role: "SUPERVISOR" });
  const token = newToken();
  await withSignInAssurance(async () => {
    rememberSignInAssurance(claims);
    await startStaffSession({
      staffId: staff.id,
      token,
      method,
      assurance: currentSignInAssurance(),
      now,
    });
  });
  const session = (await findStaffSessionFacts(token))!;
  const [audit] = await db.auditEvent.findMany({
    where: { actorId: staff.id, action: "staff.signed_in" },
  });
  return { session, audit: audit!.data };
}

describe("SSO sign-in assurance", () => {
  it("records amr and acr, and a phishing-resistant sign-in counts as a step-up from auth_time", async () => {
    const authTime = new Date(now.getTime() - 30_000);
    const { session, audit } = await sessionWith("oidc", {
      amr: ["hwk", "user"],
      acr: "phr",
      auth_time: seconds(authTime),
    });
    expect(session).toMatchObject({
      method: "oidc",
      amr: ["hwk", "user"],
      acr: "phr",
      verifiedAt: authTime,
    });
    expect(audit).toEqual({
      method: "oidc",
      amr: ["hwk", "user"],
      acr: "phr",
      phishingResistant: true,
    });
  });

  it("a plain SSO sign-in is recorded but is no step-up, whatever amr says by default", async () => {
    const { session, audit } = await sessionWith("oidc", {
      amr: ["pwd", "hwk", "fido"],
      acr: "urn:northwind:password",
      auth_time: seconds(now),
    });
    expect(session).toMatchObject({ method: "oidc", acr: "urn:northwind:password" });
    expect(session.verifiedAt).toBeNull();
    expect(audit).toMatchObject({ phishingResistant: false });
  });

  it("demo sign-in never counts, whatever it is handed", async () => {
    const { session, audit } = await sessionWith("demo", { amr: ["hwk"], acr: "phr" });
    expect(session).toMatchObject({ method: "demo", amr: [], acr: null, verifiedAt: null });
    expect(audit).toEqual({ method: "demo" });
  });

  it("outside a next-auth request there is nothing to carry (fail closed)", () => {
    rememberSignInAssurance({ acr: "phr" });
    expect(currentSignInAssurance()).toBeNull();
  });
});
