/**
 * Decision 025 on a real database: security reviewers revoke (one and all, audited with their
 * role) and read any case without working it; revoke-all revokes exactly what its confirmation
 * named; alerts link to the case; a refusal leaves the agent with guidance (the case page's and
 * the person's page's); the manager's link shows the answer recorded. The server actions are the
 * real ones, with only Next's request plumbing (cookies, headers, cache, navigation) stood in for,
 * and the step-up a real ceremony with a software authenticator.
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import {
  actor,
  linkToken,
  messageOfKind,
  userWithManager,
  verifiedHighRiskCase,
  verifiedStandardCase,
} from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

let sessionToken: string | null = null;
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (sessionToken ? { name, value: sessionToken } : undefined),
  }),
  headers: async () =>
    new Headers({ origin: "http://localhost:3000", "x-request-id": "req-dead-ends" }),
}));
const revalidated = vi.hoisted(() => [] as string[]);
vi.mock("next/cache", () => ({ revalidatePath: (path: string) => revalidated.push(path) }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
  forbidden: () => {
    throw new Error("forbidden");
  },
  notFound: () => {
    throw new Error("not found");
  },
}));

const { newToken } = await import("@/lib/server/secrets");
const { startStaffSession } = await import("@/lib/server/start-staff-session");
const { staffUserHandle } = await import("@/lib/server/staff-passkeys");
const { publicUrl } = await import("@/lib/env");
const { openCase } = await import("@/lib/server/open-case");
const { recordStep } = await import("@/lib/server/record-step");
const { sendStepLink } = await import("@/lib/server/send-step-link");
const { issueTap } = await import("@/lib/server/issue-tap");
const { requestReenrolment } = await import("@/lib/server/request-reenrolment");
const { repudiateRecovery } = await import("@/lib/server/repudiate-recovery");
const { getCaseView } = await import("@/lib/server/get-case");
const { getCaseOpening } = await import("@/lib/server/get-case-opening");
const { answerManagerConfirmation, getManagerConfirmation } =
  await import("@/lib/server/answer-manager-confirmation");
const passkeys = await import("@/app/(console)/passkeys/actions");
const userActions = await import("@/app/(console)/users/[userId]/actions");
const caseActions = await import("@/app/(console)/cases/[caseId]/actions");
const { answerConfirmationAction } = await import("@/app/(public)/confirm/[token]/actions");

const idle = { status: "idle" } as const;
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

/** Signs a staff member in with a staff passkey and confirms it's them (a real ceremony). */
async function signInStepped(staffId: string) {
  const token = newToken();
  await startStaffSession({ staffId, token, method: "demo" });
  sessionToken = token;
  const authenticator = softwarePasskey();
  const start = await passkeys.startStaffRegistrationAction();
  if (!start.ok) throw new Error(start.message);
  const finish = await passkeys.finishStaffRegistrationAction(
    authenticator.register(start.value.challenge),
  );
  if (!finish.ok) throw new Error(finish.message);
  const challenge = await passkeys.startStepUpAction();
  if (!challenge.ok) throw new Error(challenge.message);
  const stepped = await passkeys.finishStepUpAction(
    authenticator.authenticate(challenge.value.challenge, staffUserHandle(staffId)),
  );
  if (!stepped.ok) throw new Error(stepped.message);
}

const reviewer = () => createStaff(db, { role: "SECURITY", team: null });
/** A staff row as the session gives it to use cases. */
const current = (
  staff: { id: string; name: string; email: string; team: string | null },
  role: "AGENT" | "SUPERVISOR" | "SECURITY",
) => ({
  id: staff.id,
  name: staff.name,
  email: staff.email,
  team: staff.team,
  role,
  sessionExpires: new Date(Date.now() + 60_000),
});
const asActor = (staff: { id: string; name: string; email: string; team: string | null }) =>
  current(staff, "SECURITY");
const activeIds = async (userId: string) =>
  (await db.passkey.findMany({ where: { userId, status: "ACTIVE" }, orderBy: { id: "asc" } })).map(
    (passkey) => passkey.id,
  );
async function lastAuditId() {
  return (await db.auditEvent.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0n;
}
const auditSince = (id: bigint) =>
  db.auditEvent.findMany({ where: { id: { gt: id } }, orderBy: { id: "asc" } });

beforeEach(() => {
  sessionToken = null;
  revalidated.length = 0;
});

describe("a security reviewer revokes from the user page", () => {
  it("one passkey: revoked at once, audited as theirs with their role", async () => {
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const [first, second] = await activeIds(user.id);
    const mei = await reviewer();
    await signInStepped(mei.id);

    const state = await userActions.revokePasskeysAction(
      idle,
      form({
        userId: user.id,
        scope: "ONE",
        passkeyId: first!,
        reason: "SUSPECTED_COMPROMISE",
      }),
    );
    expect(state).toEqual({ status: "ok", message: "Passkey revoked. It fails at its next use." });
    expect(await activeIds(user.id)).toEqual([second]);
    expect(await db.passkey.findUniqueOrThrow({ where: { id: first! } })).toMatchObject({
      status: "REVOKED",
      revokedById: mei.id,
      revokedReason: "SUSPECTED_COMPROMISE",
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorId: mei.id,
      actorRole: "SECURITY",
      requestId: "req-dead-ends",
      data: { scope: "ONE", reason: "SUSPECTED_COMPROMISE", revokedPasskeys: 1 },
    });
  });

  it("all of them, as confirmed: passkeys revoked, the pass voided, sessions ended; the audit row names what was confirmed", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const confirmed = await activeIds(user.id);
    expect(confirmed).toHaveLength(1);
    const mei = await reviewer();
    await signInStepped(mei.id);

    const state = await userActions.revokePasskeysAction(
      idle,
      form({
        userId: user.id,
        scope: "ALL",
        reason: "STOLEN",
        confirmedPasskeyIds: confirmed.join(","),
      }),
    );
    expect(state).toMatchObject({ status: "ok" });
    expect(await activeIds(user.id)).toEqual([]);
    expect(
      await db.temporaryAccessPass.count({ where: { caseId, voidedAt: null, usedAt: null } }),
    ).toBe(0);
    expect(await db.revocation.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      scope: "ALL",
      actorId: mei.id,
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      }),
    ).toMatchObject({
      actorId: mei.id,
      actorRole: "SECURITY",
      data: {
        scope: "ALL",
        revokedPasskeys: 1,
        voidedPasses: 1,
        confirmedPasskeyIds: confirmed,
      },
    });
  });
});

describe("revoke-all revokes exactly what its confirmation named", () => {
  async function arranged() {
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const agent = await createStaff(db, { role: "AGENT" });
    await signInStepped(agent.id);
    return { user, agent, confirmed: await activeIds(user.id) };
  }
  const revokeAll = (userId: string, confirmedPasskeyIds?: string) =>
    userActions.revokePasskeysAction(
      idle,
      form({
        userId,
        scope: "ALL",
        reason: "STOLEN",
        ...(confirmedPasskeyIds === undefined ? {} : { confirmedPasskeyIds }),
      }),
    );

  it("a passkey added since the confirmation: refused, nothing revoked, the refusal audited", async () => {
    const { user, agent, confirmed } = await arranged();
    // Someone enrols another passkey while the agent reads the dialog.
    await db.passkey.create({
      data: {
        userId: user.id,
        credentialId: randomBytes(32).toString("base64url"),
        publicKey: randomBytes(77),
        aaguid: "00000000-0000-0000-0000-000000000000",
        modelName: "YubiKey 5 NFC",
        backedUp: false,
        transports: ["usb"],
      },
    });
    const mark = await lastAuditId();
    expect(await revokeAll(user.id, confirmed.join(","))).toEqual({
      status: "refused",
      message:
        "Nothing was revoked: the passkeys changed since you confirmed (1 passkey was added). Look at the list again and confirm.",
    });
    expect(await activeIds(user.id)).toHaveLength(2);
    expect(await db.revocation.count({ where: { userId: user.id } })).toBe(0);
    const rows = await auditSince(mark);
    expect(rows.map((row) => [row.action, row.outcome, row.reason, row.actorId])).toEqual([
      ["case.action_refused", "REFUSED", "CONFLICT", agent.id],
    ]);
    expect(rows[0]!.data).toMatchObject({ attempted: "revoke all passkeys" });
    // The page is read again (revalidated), and the new list confirmed: then it goes ahead.
    expect(revalidated).toContain(`/users/${user.id}`);
    expect(await revokeAll(user.id, (await activeIds(user.id)).join(","))).toMatchObject({
      status: "ok",
    });
    expect(await activeIds(user.id)).toEqual([]);
  });

  it("a passkey revoked since the confirmation: refused too (what was confirmed is what is revoked)", async () => {
    const { user, confirmed } = await arranged();
    await db.passkey.updateMany({ where: { userId: user.id }, data: { status: "REVOKED" } });
    expect(await revokeAll(user.id, confirmed.join(","))).toMatchObject({
      status: "refused",
      message: expect.stringContaining("1 passkey you confirmed is no longer active"),
    });
  });

  it("a direct call that skipped the confirmation: refused as invalid, nothing changes", async () => {
    const { user } = await arranged();
    const mark = await lastAuditId();
    const state = await revokeAll(user.id);
    expect(state).toMatchObject({ status: "invalid" });
    expect(JSON.stringify(state)).toContain("Revoke all asks you to confirm which passkeys");
    expect(await activeIds(user.id)).toHaveLength(1);
    expect(await auditSince(mark)).toEqual([]);
    expect(await revokeAll(user.id, "not-a-passkey-id")).toMatchObject({ status: "invalid" });
    expect(await activeIds(user.id)).toHaveLength(1);
  });
});

describe("a security reviewer reads every case and works none", () => {
  it("reads another team's case (and a stopped one), with no working action offered", async () => {
    const south = current(
      await createStaff(db, { role: "AGENT", team: "Service Desk South" }),
      "AGENT",
    );
    const { user } = await userWithManager();
    const { caseId } = await openCase({
      actor: south,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await recordStep({
      actor: south,
      caseId,
      kind: "CALLBACK",
      outcome: "FAILED",
      note: "Someone else answered",
    });
    const mei = asActor(await reviewer());
    const view = await getCaseView(caseId, mei);
    if (!view || view === "forbidden") throw new Error(`expected the case, got ${view}`);
    expect(view.canWork).toBe(false);
    expect(view.correctable.size).toBe(0);
    expect(view.guidance).toMatchObject({ situation: "step-failed" });
    expect(view.guidance!.next.flatMap((step) => (step.action ? [step.action.kind] : []))).toEqual([
      "revoke",
    ]);
    // A North agent is refused the same case (teams are a boundary for those who work them).
    expect(await getCaseView(caseId, await actor("AGENT"))).toBe("forbidden");
  });

  it("cannot work a case through a direct server-action call: refused before the form is read, audited, nothing changes", async () => {
    const { caseId, user } = await verifiedStandardCase();
    const mei = await reviewer();
    await signInStepped(mei.id);
    const snapshot = () =>
      Promise.all([
        db.recoveryCase.findUniqueOrThrow({
          where: { id: caseId },
          include: { checklist: { include: { steps: true } }, redFlags: true },
        }),
        db.temporaryAccessPass.count({ where: { caseId } }),
        db.stepLink.count({ where: { caseId } }),
        db.approval.count({ where: { caseId } }),
        db.recoveryCase.count({ where: { userId: user.id } }),
      ]);
    const before = await snapshot();
    const attempts: [string, () => Promise<unknown>, string][] = [
      [
        "record a step",
        () =>
          caseActions.recordStepAction(
            idle,
            form({ caseId, kind: "ID_DOCUMENT", outcome: "PASSED", note: "" }),
          ),
        "cases:work",
      ],
      [
        "send a link",
        () => caseActions.sendStepLinkAction(idle, form({ caseId, kind: "MANAGER_CONFIRMATION" })),
        "cases:work",
      ],
      [
        "raise a red flag",
        () => caseActions.raiseRedFlagAction(idle, form({ caseId, kind: "OTHER", note: "x" })),
        "cases:work",
      ],
      [
        "issue a pass",
        () => caseActions.issueTapAction(idle, form({ caseId, lifetimeMinutes: "60" })),
        "cases:work",
      ],
      [
        "request a re-enrolment",
        () => caseActions.requestReenrolmentAction(idle, form({ caseId })),
        "cases:work",
      ],
      [
        "close the case",
        () => caseActions.closeCaseAction(idle, form({ caseId, closeReason: "done" })),
        "cases:work",
      ],
      [
        "hand it over",
        () =>
          caseActions.transferCaseAction(
            idle,
            form({ caseId, team: "Service Desk South", note: "x" }),
          ),
        "cases:work",
      ],
      [
        "reopen a step",
        () =>
          caseActions.correctStepAction(
            idle,
            form({ caseId, kind: "CALLBACK", note: "a retry I allow" }),
          ),
        "approvals:decide",
      ],
      [
        "open a case",
        () =>
          userActions.openCaseAction(
            idle,
            form({ userId: user.id, reason: "LOST_DEVICE", channel: "PHONE", callerClaim: "" }),
          ),
        "cases:work",
      ],
    ];
    for (const [what, attempt, permission] of attempts) {
      const mark = await lastAuditId();
      await expect(attempt(), what).rejects.toThrow("forbidden");
      const rows = await auditSince(mark);
      expect(
        rows.map((row) => [row.action, row.reason, row.actorRole, row.data]),
        what,
      ).toEqual([
        [
          "access.denied",
          "FORBIDDEN",
          "SECURITY",
          { permission, path: expect.stringMatching(/^\/(cases|users)\//) },
        ],
      ]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("the use cases refuse a reviewer too, audited with their role", async () => {
    const { caseId } = await verifiedHighRiskCase();
    const mei = asActor(await reviewer());
    const error = await requestReenrolment({ actor: mei, caseId, revokePasskeyIds: [] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "FORBIDDEN", userMessage: "Your role cannot do this." });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { caseId, action: "case.action_refused" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ actorId: mei.id, actorRole: "SECURITY", reason: "FORBIDDEN" });
    expect(await db.approval.count({ where: { caseId } })).toBe(0);
  });
});

describe("alerts link to the case, from the configured base URL", () => {
  const urlsRemoved = (text: string) => text.replace(/https?:\/\/\S+/g, "");

  it("“this wasn't me” on a recovery: the case and the person's page, no bare id", async () => {
    const mei = await reviewer();
    const { user, caseId } = await verifiedStandardCase();
    const notice = await messageOfKind(user.emails[0]!.address, "case.opened", caseId);
    await repudiateRecovery({ token: linkToken(notice.text, "report") });
    const alert = await messageOfKind(mei.email, "security.alert");
    expect(alert.text).toContain(`Open the case: ${publicUrl}/cases/${caseId}`);
    expect(alert.text).toContain(`${publicUrl}/users/${user.id}`);
    expect(publicUrl).toMatch(/^https?:\/\//);
    expect(urlsRemoved(alert.text)).not.toContain(caseId);
  });

  it("a repeat call blocked: the latest case of the window and the person's page", async () => {
    const mei = await reviewer();
    const user = await createWorkforceUser(db);
    const cases: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { caseId } = await openCase({
        actor: await actor(),
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      });
      cases.push(caseId);
    }
    await expect(
      openCase({
        actor: await actor(),
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }),
    ).rejects.toMatchObject({ code: "THROTTLED" });
    const alert = await messageOfKind(mei.email, "security.alert");
    expect(alert.text).toContain(
      `The latest case of the last 24 hours: ${publicUrl}/cases/${cases[2]}`,
    );
    expect(alert.text).toContain(`${publicUrl}/users/${user.id}`);
  });
});

describe("guidance where a refusal is shown", () => {
  it("after a manager's denial, the case page says what to tell the caller; a supervisor who did not work it is offered the reopening", async () => {
    const agent = await actor("AGENT");
    const { user, manager } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const request = await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation");
    await answerManagerConfirmation({ token: linkToken(request.text, "confirm"), answer: "deny" });

    const forAgent = await getCaseView(caseId, agent);
    if (!forAgent || forAgent === "forbidden") throw new Error("expected the case");
    expect(forAgent.guidance).toMatchObject({ situation: "manager-denied", tone: "stop" });
    expect(forAgent.guidance!.say).not.toMatch(/manager|denied/i);
    expect(forAgent.guidance!.next.flatMap((s) => (s.action ? [s.action.kind] : []))).toEqual([
      "open-user",
      "close-case",
      "revoke",
    ]);
    const supervisor = await actor("SUPERVISOR");
    const forSupervisor = await getCaseView(caseId, supervisor);
    if (!forSupervisor || forSupervisor === "forbidden") throw new Error("expected the case");
    expect(forSupervisor.guidance!.next[0]!.action).toEqual({
      kind: "reopen-step",
      step: "MANAGER_CONFIRMATION",
    });
    // ...and the person's page says no case can be opened, and why.
    expect(await getCaseOpening(user.id)).toMatchObject({
      refusal: { code: "ON_HOLD" },
      refusedAt: null,
    });
  });

  it("a repeat call: the person's page guides only once an opening was refused (that refusal alerts security)", async () => {
    const user = await createWorkforceUser(db);
    for (let i = 0; i < 3; i++)
      await openCase({
        actor: await actor(),
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      });
    expect(await getCaseOpening(user.id)).toBeNull();
    await expect(
      openCase({
        actor: await actor(),
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }),
    ).rejects.toMatchObject({ code: "THROTTLED" });
    const refusal = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "case.action_refused", reason: "THROTTLED" },
    });
    expect(await getCaseOpening(user.id)).toEqual({
      refusal: {
        ok: false,
        code: "THROTTLED",
        message:
          "This is recovery call 4 for this person in 24 hours: blocked, and security has been alerted.",
      },
      refusedAt: refusal.createdAt,
    });
  });

  it("a leaver's page says so", async () => {
    const user = await createWorkforceUser(db, { status: "LEFT" });
    expect(await getCaseOpening(user.id)).toMatchObject({ refusal: { code: "LEAVER" } });
  });
});

describe("the manager's link after answering", () => {
  async function managerLink() {
    const agent = await actor("AGENT");
    const { user, manager } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const request = await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation");
    return { user, token: linkToken(request.text, "confirm") };
  }

  it("shows the answer recorded and when, on every later visit, never the question again", async () => {
    const { user, token } = await managerLink();
    expect(await getManagerConfirmation(token)).toMatchObject({
      state: "waiting",
      userName: user.name,
    });
    expect(await answerConfirmationAction(idle, form({ token, answer: "confirm" }))).toEqual({
      status: "ok",
      message: "Thank you. You confirmed the request; the service desk will continue.",
    });
    // The page is rendered again from the server, now with the answer.
    expect(revalidated).toEqual([`/confirm/${token}`]);
    const link = await db.stepLink.findFirstOrThrow({
      where: { case: { userId: user.id } },
    });
    expect(link).toMatchObject({ answer: "PASSED" });
    const expected = {
      state: "answered",
      userName: user.name,
      answer: "confirmed",
      answeredAt: link.usedAt,
    };
    expect(await getManagerConfirmation(token)).toEqual(expected);
    expect(await getManagerConfirmation(token)).toEqual(expected);
    // A second answer changes nothing.
    expect(await answerConfirmationAction(idle, form({ token, answer: "deny" }))).toMatchObject({
      status: "refused",
    });
    expect(await getManagerConfirmation(token)).toEqual(expected);
  });

  it("a denial is shown as denied", async () => {
    const { token } = await managerLink();
    await answerConfirmationAction(idle, form({ token, answer: "deny" }));
    expect(await getManagerConfirmation(token)).toMatchObject({
      state: "answered",
      answer: "denied",
    });
  });

  it("the database keeps an answer only on a used link, and only confirmed or denied", async () => {
    const { user } = await managerLink();
    const link = await db.stepLink.findFirstOrThrow({ where: { case: { userId: user.id } } });
    await expect(
      db.stepLink.update({ where: { id: link.id }, data: { answer: "PASSED" } }),
    ).rejects.toThrow(/StepLink_answer_check/);
    await expect(
      db.stepLink.update({
        where: { id: link.id },
        data: { usedAt: new Date(), answer: "UNABLE" },
      }),
    ).rejects.toThrow(/StepLink_answer_check/);
  });
});
