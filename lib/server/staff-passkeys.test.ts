/**
 * Staff passkeys and step-up with a real (software) authenticator against PostgreSQL
 * (docs/decisions/015-staff-step-up.md; docs/security-requirements.md F6): when a staff member
 * may add or remove one, what "Confirm it's you" checks, and that the two populations of the
 * relying party never stand in for each other.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { redeemedPassSession } from "@/tests/recovery";
import { softwarePasskey, type SoftwarePasskey } from "@/tests/software-authenticator";
import { finishPasskeyRegistration } from "./finish-passkey-registration";
import { resumeStaffSession } from "./resume-staff-session";
import { newToken } from "./secrets";
import {
  finishStaffPasskeyRegistration,
  finishStaffStepUp,
  listStaffPasskeys,
  removeStaffPasskey,
  staffUserHandle,
  startStaffPasskeyRegistration,
  startStaffStepUp,
} from "./staff-passkeys";
import { checkStaffStepUp, findStaffSessionFacts } from "./staff-step-up";
import { startPasskeyRegistration } from "./start-passkey-registration";
import { startStaffSession } from "./start-staff-session";
import { finishWorkforceSignIn, startWorkforceSignIn } from "./workforce-sign-in";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

async function signedInStaff(role: "AGENT" | "SUPERVISOR" | "SECURITY" = "SUPERVISOR") {
  const row = await createStaff(db, { role });
  const token = newToken();
  await startStaffSession({ staffId: row.id, token, method: "demo" });
  const staff = (await resumeStaffSession(token))!;
  const facts = async () => (await findStaffSessionFacts(token))!;
  return { staff, token, facts };
}
type Signed = Awaited<ReturnType<typeof signedInStaff>>;

async function addPasskey(signed: Signed, passkey: SoftwarePasskey = softwarePasskey()) {
  const options = await startStaffPasskeyRegistration({
    staff: signed.staff,
    session: await signed.facts(),
  });
  await finishStaffPasskeyRegistration({
    staff: signed.staff,
    session: await signed.facts(),
    response: passkey.register(options.challenge),
  });
  return passkey;
}

async function confirm(signed: Signed, passkey: SoftwarePasskey, handle?: Uint8Array) {
  const options = await startStaffStepUp({ staff: signed.staff, session: await signed.facts() });
  return finishStaffStepUp({
    staff: signed.staff,
    session: await signed.facts(),
    response: passkey.authenticate(options.challenge, handle ?? staffUserHandle(signed.staff.id)),
  });
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const auditOf = (staffId: string, action: string) =>
  db.auditEvent.findMany({ where: { actorId: staffId, action }, orderBy: { id: "asc" } });

describe("adding a staff passkey", () => {
  it("lets a fresh sign-in add the first one: UV required, resident key preferred, an opaque handle, audited", async () => {
    const signed = await signedInStaff();
    const options = await startStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
    });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "preferred",
      userVerification: "required",
    });
    expect(Buffer.from(options.user.id, "base64url")).toEqual(
      Buffer.from(staffUserHandle(signed.staff.id)),
    );
    expect(options.user.id).not.toContain(signed.staff.id);
    const challenge = await db.webAuthnChallenge.findUniqueOrThrow({
      where: { challenge: options.challenge },
    });
    expect(challenge).toMatchObject({
      purpose: "staff-register",
      staffId: signed.staff.id,
      sessionId: (await signed.facts()).id,
      userId: null,
    });
    const passkey = softwarePasskey();
    await finishStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
      response: passkey.register(options.challenge),
    });
    expect(await listStaffPasskeys(signed.staff.id)).toHaveLength(1);
    expect(await db.passkey.count({ where: { credentialId: passkey.id } })).toBe(0);
    const [added] = await auditOf(signed.staff.id, "staff.passkey_added");
    expect(added).toMatchObject({ outcome: "ALLOWED", data: { via: "fresh sign-in" } });
    // Enrolling is not proof of who you are: the session is not stepped up by it.
    expect((await signed.facts()).verifiedAt).toBeNull();
  });

  it("refuses the first one once the sign-in is older than the window, audited, nothing stored", async () => {
    const signed = await signedInStaff();
    await db.staffSession.update({
      where: { id: (await signed.facts()).id },
      data: { createdAt: minutesAgo(6) },
    });
    const error = await refused(
      startStaffPasskeyRegistration({ staff: signed.staff, session: await signed.facts() }),
    );
    expect(error.code).toBe("STEP_UP_REQUIRED");
    expect(await db.webAuthnChallenge.count({ where: { staffId: signed.staff.id } })).toBe(0);
    const [row] = await auditOf(signed.staff.id, "staff.step_up_required");
    expect(row).toMatchObject({
      outcome: "REFUSED",
      reason: "STEP_UP_REQUIRED",
      data: { attempted: "add a staff passkey", next: "enrol" },
    });
  });

  it("needs a fresh step-up to add a second one, even right after sign-in; then excludes the first", async () => {
    const signed = await signedInStaff();
    const first = await addPasskey(signed);
    expect(
      (
        await refused(
          startStaffPasskeyRegistration({ staff: signed.staff, session: await signed.facts() }),
        )
      ).code,
    ).toBe("STEP_UP_REQUIRED");
    await confirm(signed, first);
    const options = await startStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
    });
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([first.id]);
    await finishStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
      response: softwarePasskey().register(options.challenge),
    });
    expect(await listStaffPasskeys(signed.staff.id)).toHaveLength(2);
    const added = await auditOf(signed.staff.id, "staff.passkey_added");
    expect(added.map((e) => (e.data as { via: string }).via)).toEqual(["fresh sign-in", "step-up"]);
  });

  it("refuses a registration without user verification, and a challenge from another session", async () => {
    const signed = await signedInStaff();
    const options = await startStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
    });
    await refused(
      finishStaffPasskeyRegistration({
        staff: signed.staff,
        session: await signed.facts(),
        response: softwarePasskey({ userVerified: false }).register(options.challenge),
      }),
    );
    const other = await signedInStaff();
    const theirs = await startStaffPasskeyRegistration({
      staff: other.staff,
      session: await other.facts(),
    });
    await refused(
      finishStaffPasskeyRegistration({
        staff: signed.staff,
        session: await signed.facts(),
        response: softwarePasskey().register(theirs.challenge),
      }),
    );
    expect(await listStaffPasskeys(signed.staff.id)).toHaveLength(0);
    expect(await auditOf(signed.staff.id, "staff.passkey_add_refused")).toHaveLength(2);
  });
});

describe("confirm it's you", () => {
  it("sets verifiedAt on a user-verified assertion from one's own staff passkey, audited; the challenge is single-use", async () => {
    const signed = await signedInStaff();
    const passkey = await addPasskey(signed);
    const options = await startStaffStepUp({ staff: signed.staff, session: await signed.facts() });
    expect(options.userVerification).toBe("required");
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([passkey.id]);
    const response = passkey.authenticate(options.challenge, staffUserHandle(signed.staff.id));
    const { until } = await finishStaffStepUp({
      staff: signed.staff,
      session: await signed.facts(),
      response,
    });
    const verifiedAt = (await signed.facts()).verifiedAt!;
    expect(Date.now() - verifiedAt.getTime()).toBeLessThan(10_000);
    expect(until.getTime() - verifiedAt.getTime()).toBe(5 * 60_000);
    expect(await auditOf(signed.staff.id, "staff.stepped_up")).toHaveLength(1);
    // The same response again: the challenge is used up.
    await db.staffSession.update({
      where: { id: (await signed.facts()).id },
      data: { verifiedAt: null },
    });
    await refused(
      finishStaffStepUp({ staff: signed.staff, session: await signed.facts(), response }),
    );
    expect((await signed.facts()).verifiedAt).toBeNull();
  });

  it("refuses another staff member's passkey, a removed one, no UV and a wrong user handle", async () => {
    const signed = await signedInStaff();
    const mine = await addPasskey(signed);
    const other = await signedInStaff();
    const theirs = await addPasskey(other);

    await refused(confirm(signed, theirs, staffUserHandle(other.staff.id)));
    await refused(confirm(signed, mine, staffUserHandle(other.staff.id)));
    // The same key without user verification (the device did not ask for a PIN or biometric).
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const credentialId = randomBytes(32);
    const signedLazy = await signedInStaff();
    await addPasskey(signedLazy, softwarePasskey({ key, credentialId }));
    const lazy = softwarePasskey({ key, credentialId, userVerified: false, counter: 5 });
    await refused(confirm(signedLazy, lazy));

    await confirm(signed, mine);
    const [row] = await db.staffPasskey.findMany({ where: { staffId: signed.staff.id } });
    await removeStaffPasskey({
      staff: signed.staff,
      session: await signed.facts(),
      passkeyId: row!.id,
    });
    expect(
      (await refused(startStaffStepUp({ staff: signed.staff, session: await signed.facts() })))
        .code,
    ).toBe("STEP_UP_REQUIRED");
    expect(await auditOf(signed.staff.id, "staff.step_up_refused")).toHaveLength(2);
    const [noUv] = await auditOf(signedLazy.staff.id, "staff.step_up_refused");
    expect((noUv!.data as { detail: string }).detail).toMatch(/verif/i);
    expect(await auditOf(signed.staff.id, "staff.passkey_removed")).toHaveLength(1);
  });

  it("is what checkStaffStepUp reads: stale after the window, refused and audited once, with what to do next", async () => {
    const signed = await signedInStaff();
    const request = { requestId: "req-step-up", ip: null };
    const stale = await checkStaffStepUp({
      staff: signed.staff,
      session: await signed.facts(),
      attempted: "decide an approval",
      path: "/approvals",
      request,
    });
    expect(stale).toEqual({ ok: false, next: "enrol", message: expect.any(String) });
    const passkey = await addPasskey(signed);
    await confirm(signed, passkey);
    expect(
      await checkStaffStepUp({
        staff: signed.staff,
        session: await signed.facts(),
        attempted: "decide an approval",
        path: "/approvals",
      }),
    ).toEqual({ ok: true });
    await db.staffSession.update({
      where: { id: (await signed.facts()).id },
      data: { verifiedAt: minutesAgo(6) },
    });
    expect(
      await checkStaffStepUp({
        staff: signed.staff,
        session: await signed.facts(),
        attempted: "decide an approval",
        path: "/approvals",
      }),
    ).toEqual({
      ok: false,
      next: "confirm",
      message: "Confirm it's you with your passkey, then try again.",
    });
    const rows = await auditOf(signed.staff.id, "staff.step_up_required");
    expect(rows.map((r) => (r.data as { next: string }).next)).toEqual(["enrol", "confirm"]);
    expect(rows[0]).toMatchObject({ requestId: "req-step-up", reason: "STEP_UP_REQUIRED" });
  });
});

describe("two populations of one relying party", () => {
  it("a staff passkey never signs anyone in as a workforce user", async () => {
    const signed = await signedInStaff();
    const passkey = await addPasskey(signed);
    const options = await startWorkforceSignIn();
    await refused(
      finishWorkforceSignIn({
        response: passkey.authenticate(options.challenge, staffUserHandle(signed.staff.id)),
      }),
    );
    expect(await db.workforceSession.count()).toBe(0);
  });

  it("a workforce passkey never confirms it's a staff member, and cannot be registered as one", async () => {
    const signed = await signedInStaff();
    await addPasskey(signed);
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const { grant } = await redeemedPassSession({ userId: user.id });
    const workforce = softwarePasskey();
    const registration = await startPasskeyRegistration({ grant });
    await finishPasskeyRegistration({
      grant,
      response: workforce.register(registration.challenge),
    });

    await refused(confirm(signed, workforce, user.webauthnUserId));
    expect((await signed.facts()).verifiedAt).toBeNull();

    // Nor does a workforce ceremony's challenge answer a staff one.
    const workforceChallenge = await startWorkforceSignIn();
    await refused(
      finishStaffStepUp({
        staff: signed.staff,
        session: await signed.facts(),
        response: workforce.authenticate(workforceChallenge.challenge),
      }),
    );

    // The same credential offered as a staff passkey is refused.
    await db.staffSession.update({
      where: { id: (await signed.facts()).id },
      data: { verifiedAt: new Date() },
    });
    const options = await startStaffPasskeyRegistration({
      staff: signed.staff,
      session: await signed.facts(),
    });
    const error = await refused(
      finishStaffPasskeyRegistration({
        staff: signed.staff,
        session: await signed.facts(),
        response: workforce.clone().register(options.challenge),
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(await listStaffPasskeys(signed.staff.id)).toHaveLength(1);
  });
});

describe("removing a staff passkey", () => {
  it("needs a fresh step-up or a fresh sign-in; an old session cannot, and cannot remove someone else's", async () => {
    const signed = await signedInStaff();
    await addPasskey(signed);
    const [row] = await db.staffPasskey.findMany({ where: { staffId: signed.staff.id } });
    await db.staffSession.update({
      where: { id: (await signed.facts()).id },
      data: { createdAt: minutesAgo(20) },
    });
    expect(
      (
        await refused(
          removeStaffPasskey({
            staff: signed.staff,
            session: await signed.facts(),
            passkeyId: row!.id,
          }),
        )
      ).code,
    ).toBe("STEP_UP_REQUIRED");
    const other = await signedInStaff();
    expect(
      (
        await refused(
          removeStaffPasskey({
            staff: other.staff,
            session: await other.facts(),
            passkeyId: row!.id,
          }),
        )
      ).code,
    ).toBe("NOT_FOUND");
    expect(await listStaffPasskeys(signed.staff.id)).toHaveLength(1);
  });
});
