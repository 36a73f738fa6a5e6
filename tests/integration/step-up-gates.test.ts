/**
 * Decision 015, docs/security-requirements.md F6: every high-risk act refuses a session that has
 * not confirmed it's them within the window (nothing changes, exactly one audit row,
 * `staff.step_up_required`), and goes through once it has. These call the real server actions
 * and the export route handler, with only Next's request plumbing (cookies, headers, cache)
 * stood in for; the step-up itself is a real ceremony through the real actions, with a software
 * authenticator.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { verifiedHighRiskCase, verifiedStandardCase } from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

let sessionToken: string | null = null;
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (sessionToken ? { name, value: sessionToken } : undefined),
  }),
  headers: async () =>
    new Headers({ origin: "http://localhost:3000", "x-request-id": "req-step-up-gate" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
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
const { requestReenrolment } = await import("@/lib/server/request-reenrolment");
const passkeys = await import("@/app/(console)/passkeys/actions");
const { decideAction } = await import("@/app/(console)/approvals/actions");
const { revokePasskeysAction, clearHoldAction, changeAccessAction } =
  await import("@/app/(console)/users/[userId]/actions");
const { transferCaseAction } = await import("@/app/(console)/cases/[caseId]/actions");
const { GET: exportAudit } = await import("@/app/(console)/audit/export/route");

const idle = { status: "idle" } as const;
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

/** Signs a staff member in (a session of their own, as the cookie carries it) and gives them a staff passkey. */
async function signIn(staffId: string, options: { passkey?: boolean } = {}) {
  const token = newToken();
  await startStaffSession({ staffId, token, method: "demo" });
  sessionToken = token;
  const authenticator = softwarePasskey();
  if (options.passkey !== false) {
    const start = await passkeys.startStaffRegistrationAction();
    if (!start.ok) throw new Error(start.message);
    const finish = await passkeys.finishStaffRegistrationAction(
      authenticator.register(start.value.challenge),
    );
    if (!finish.ok) throw new Error(finish.message);
  }
  return {
    /** "Confirm it's you", through the real actions. */
    async stepUp() {
      const start = await passkeys.startStepUpAction();
      if (!start.ok) throw new Error(start.message);
      const finish = await passkeys.finishStepUpAction(
        authenticator.authenticate(start.value.challenge, staffUserHandle(staffId)),
      );
      if (!finish.ok) throw new Error(finish.message);
    },
  };
}

const supervisorOf = (team = "Service Desk North") => createStaff(db, { role: "SUPERVISOR", team });

type Gate = {
  /** Arranges the state and signs the actor in; returns how to act and what must not change. */
  arrange: () => Promise<{
    act: () => Promise<unknown>;
    state: () => Promise<unknown>;
    stepUp: () => Promise<void>;
  }>;
};

const GATES: Record<string, Gate> = {
  "approving a re-enrolment": {
    async arrange() {
      const { agent, caseId } = await verifiedHighRiskCase();
      const requested = await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
      expect(requested.status).toBe("pending_approval");
      const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
      const supervisor = await supervisorOf();
      const { stepUp } = await signIn(supervisor.id);
      return {
        stepUp,
        act: () =>
          decideAction(
            idle,
            form({ approvalId: approval.id, decision: "approve", reason: "Checked the evidence" }),
          ),
        state: () =>
          Promise.all([
            db.approval.findUniqueOrThrow({ where: { id: approval.id } }),
            db.enrolmentLink.count({ where: { caseId } }),
          ]),
      };
    },
  },
  "denying a re-enrolment": {
    async arrange() {
      const { agent, caseId, user } = await verifiedHighRiskCase();
      await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
      const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
      const supervisor = await supervisorOf();
      const { stepUp } = await signIn(supervisor.id);
      return {
        stepUp,
        act: () =>
          decideAction(
            idle,
            form({ approvalId: approval.id, decision: "deny", reason: "Not convinced" }),
          ),
        state: () =>
          Promise.all([
            db.approval.findUniqueOrThrow({ where: { id: approval.id } }),
            db.recoveryHold.count({ where: { userId: user.id } }),
          ]),
      };
    },
  },
  "revoking every passkey": {
    async arrange() {
      const { user } = await verifiedStandardCase();
      const agent = await createStaff(db, { role: "AGENT" });
      const { stepUp } = await signIn(agent.id);
      // The passkeys its confirmation names (decision 025).
      const confirmedPasskeyIds = (
        await db.passkey.findMany({ where: { userId: user.id, status: "ACTIVE" } })
      )
        .map((passkey) => passkey.id)
        .join(",");
      return {
        stepUp,
        act: () =>
          revokePasskeysAction(
            idle,
            form({ userId: user.id, scope: "ALL", reason: "STOLEN", confirmedPasskeyIds }),
          ),
        state: () => db.passkey.findMany({ where: { userId: user.id }, orderBy: { id: "asc" } }),
      };
    },
  },
  "revoking one passkey": {
    async arrange() {
      const { user } = await verifiedStandardCase();
      const [passkey] = await db.passkey.findMany({ where: { userId: user.id } });
      const agent = await createStaff(db, { role: "AGENT" });
      const { stepUp } = await signIn(agent.id);
      return {
        stepUp,
        act: () =>
          revokePasskeysAction(
            idle,
            form({ userId: user.id, scope: "ONE", passkeyId: passkey!.id, reason: "LOST" }),
          ),
        state: () => db.passkey.findUniqueOrThrow({ where: { id: passkey!.id } }),
      };
    },
  },
  "clearing a hold": {
    async arrange() {
      const { user, caseId } = await verifiedStandardCase();
      await db.recoveryHold.create({
        data: { userId: user.id, caseId, reason: "The manager denied the request" },
      });
      const supervisor = await supervisorOf();
      const { stepUp } = await signIn(supervisor.id);
      return {
        stepUp,
        act: () =>
          clearHoldAction(
            idle,
            form({ userId: user.id, note: "Spoke to the manager: it was a misunderstanding" }),
          ),
        state: () => db.recoveryHold.findMany({ where: { userId: user.id } }),
      };
    },
  },
  "suspending someone's access": {
    async arrange() {
      const { user } = await verifiedStandardCase();
      const reviewer = await createStaff(db, { role: "SECURITY", team: null });
      const { stepUp } = await signIn(reviewer.id);
      return {
        stepUp,
        act: () => changeAccessAction(idle, form({ userId: user.id, status: "SUSPENDED" })),
        state: () =>
          Promise.all([
            db.workforceUser.findUniqueOrThrow({
              where: { id: user.id },
              select: { status: true },
            }),
            db.recoveryCase.findMany({ where: { userId: user.id }, select: { status: true } }),
          ]),
      };
    },
  },
  "handing a case over": {
    async arrange() {
      const { caseId } = await verifiedStandardCase();
      await createStaff(db, { role: "AGENT", team: "Service Desk South" });
      const agent = await createStaff(db, { role: "AGENT" });
      const { stepUp } = await signIn(agent.id);
      return {
        stepUp,
        act: () =>
          transferCaseAction(
            idle,
            form({ caseId, team: "Service Desk South", note: "Caller is in the south office" }),
          ),
        state: () =>
          db.recoveryCase.findUniqueOrThrow({ where: { id: caseId }, select: { team: true } }),
      };
    },
  },
};

beforeEach(() => {
  sessionToken = null;
});

async function auditSince(id: bigint) {
  return db.auditEvent.findMany({ where: { id: { gt: id } }, orderBy: { id: "asc" } });
}
async function lastAuditId() {
  return (await db.auditEvent.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0n;
}

describe("high-risk acts need a fresh step-up", () => {
  it.each(Object.keys(GATES))(
    "%s: refused without one (nothing changes, one audit row), done with one",
    async (name) => {
      const { act, state, stepUp } = await GATES[name]!.arrange();
      const before = await state();
      const mark = await lastAuditId();
      expect(await act()).toEqual({
        status: "refused",
        message: "Confirm it's you with your passkey, then try again.",
        stepUp: "confirm",
      });
      expect(await state()).toEqual(before);
      const rows = await auditSince(mark);
      expect(rows.map((row) => [row.action, row.outcome, row.reason])).toEqual([
        ["staff.step_up_required", "REFUSED", "STEP_UP_REQUIRED"],
      ]);
      expect(rows[0]!.requestId).toBe("req-step-up-gate");

      await stepUp();
      expect(await act()).toMatchObject({ status: "ok" });
      expect(await state()).not.toEqual(before);
    },
  );

  it("a step-up older than the window is stale", async () => {
    const { act, state, stepUp } = await GATES["revoking every passkey"]!.arrange();
    await stepUp();
    await db.staffSession.updateMany({
      where: { tokenHash: { not: "" }, verifiedAt: { not: null } },
      data: { verifiedAt: new Date(Date.now() - 6 * 60_000) },
    });
    const before = await state();
    expect(await act()).toMatchObject({ status: "refused", stepUp: "confirm" });
    expect(await state()).toEqual(before);
  });

  it("a staff member without a staff passkey is told to set one up", async () => {
    const { user } = await verifiedStandardCase();
    const agent = await createStaff(db, { role: "AGENT" });
    await signIn(agent.id, { passkey: false });
    const state = await revokePasskeysAction(
      idle,
      form({ userId: user.id, scope: "ALL", reason: "STOLEN" }),
    );
    expect(state).toMatchObject({ status: "refused", stepUp: "enrol" });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
  });

  it("the audit export route: 403 without one (no export, one audit row), the file with one", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY", team: null });
    const { stepUp } = await signIn(reviewer.id);
    const request = () => new Request("http://localhost:3000/audit/export?format=jsonl");
    const mark = await lastAuditId();
    const refused = await exportAudit(request());
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: "Confirm it's you with your passkey, then try again.",
      stepUp: "confirm",
    });
    expect((await auditSince(mark)).map((row) => row.action)).toEqual(["staff.step_up_required"]);

    await stepUp();
    const response = await exportAudit(request());
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(await db.auditEvent.count({ where: { action: "audit.exported" } })).toBe(1);
  });
});
