import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  caseGuidance,
  refusalGuidance,
  SITUATIONS,
  type CaseGuidanceInput,
  type Guidance,
  type GuidanceAction,
  type GuidanceViewer,
} from "./caller-guidance";
import { CASE_STATUSES, isOpenCase, type CaseStatus } from "./case-state";
import { DOMAIN_ERROR_CODES } from "./errors";
import {
  availableActions,
  decideCorrectStep,
  decideOpenCase,
  stopReason,
  type CaseFacts,
} from "./recovery-decisions";
import { DEFAULT_POLICY, RED_FLAG_KINDS, STEP_KINDS } from "./recovery-policy";
import { can } from "./roles";
import { RISK_TIERS } from "./workforce";

const policy = DEFAULT_POLICY;
const now = new Date("2026-11-24T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

const AGENT: GuidanceViewer = {
  role: "AGENT",
  worksCase: true,
  workedCase: true,
  canHandOver: true,
};
/** A supervisor of the team who did not work the case: the second person. */
const SUPERVISOR: GuidanceViewer = {
  role: "SUPERVISOR",
  worksCase: true,
  workedCase: false,
  canHandOver: true,
};
const SECURITY: GuidanceViewer = {
  role: "SECURITY",
  worksCase: false,
  workedCase: false,
  canHandOver: true,
};

const facts = (overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  status: "OPEN",
  riskTier: "STANDARD",
  reason: "LOST_DEVICE",
  leaver: false,
  steps: [
    { kind: "CALLBACK", outcome: "PENDING" },
    { kind: "PASSKEY_PROOF", outcome: "PENDING" },
    { kind: "MANAGER_CONFIRMATION", outcome: "PENDING" },
    { kind: "ID_DOCUMENT", outcome: "PENDING" },
    { kind: "EMPLOYEE_RECORD", outcome: "PENDING" },
  ],
  redFlags: [],
  repeatCall: 1,
  onHold: false,
  ...overrides,
});
const verified = (overrides: Partial<CaseFacts> = {}) =>
  facts({
    status: "VERIFIED",
    steps: [
      { kind: "CALLBACK", outcome: "PASSED" },
      { kind: "PASSKEY_PROOF", outcome: "PENDING" },
      { kind: "MANAGER_CONFIRMATION", outcome: "PASSED" },
      { kind: "ID_DOCUMENT", outcome: "PENDING" },
      { kind: "EMPLOYEE_RECORD", outcome: "PASSED" },
    ],
    ...overrides,
  });
const highRisk = (steps: CaseFacts["steps"], overrides: Partial<CaseFacts> = {}) =>
  facts({ riskTier: "HIGH_RISK", steps, ...overrides });

const input = (f: CaseFacts, overrides: Partial<CaseGuidanceInput> = {}): CaseGuidanceInput => ({
  policy,
  facts: f,
  hasVerifiedAddress: true,
  team: "Service Desk North",
  approvals: [],
  stepLinks: [],
  enrolmentLinks: [],
  passes: [],
  reportedNotThem: false,
  viewer: AGENT,
  now,
  ...overrides,
});

const issued = (createdMinutes: number, expiresMinutes: number) => ({
  createdAt: minutes(createdMinutes),
  expiresAt: minutes(expiresMinutes),
  usedAt: null,
  voidedAt: null,
});

const actionsOf = (guidance: Guidance | null) =>
  (guidance?.next ?? []).flatMap((step) => (step.action ? [step.action] : []));
const kindsOf = (guidance: Guidance | null) => actionsOf(guidance).map((action) => action.kind);

/** Words that would tell an impostor which check caught them. */
const TELLTALE = /manager|flag|callback|call back on|failed|denied|mismatch|photo id/i;

describe("caseGuidance: every stop the server knows is guided", () => {
  it("a red flag that stops: a script that reveals nothing, close and revoke for the agent", () => {
    const guidance = caseGuidance(input(facts({ redFlags: [{ kind: "REFUSED_CALLBACK" }] })));
    expect(guidance).toMatchObject({ situation: "red-flag", tone: "stop" });
    expect(guidance!.title).toContain("The case was stopped by a red flag (Refuses the callback).");
    expect(guidance!.title).toContain(policy.redFlags.REFUSED_CALLBACK.guidance);
    expect(guidance!.say).not.toMatch(TELLTALE);
    expect(guidance!.avoid).toMatch(/Don't say which check/);
    expect(kindsOf(guidance)).toEqual(["close-case", "revoke"]);
    // A security reviewer reads the same words, and is offered only what their role does.
    const forSecurity = caseGuidance(
      input(facts({ redFlags: [{ kind: "REFUSED_CALLBACK" }] }), { viewer: SECURITY }),
    );
    expect(forSecurity!.say).toBe(guidance!.say);
    expect(kindsOf(forSecurity)).toEqual(["revoke"]);
    // A new call in the window is stopped by the same flag: said, not offered.
    expect(guidance!.next.at(-1)!.text).toContain("24 hours");
  });

  it("a red flag that escalates: wait for a supervisor, request the re-enrolment once verified", () => {
    const open = caseGuidance(input(facts({ redFlags: [{ kind: "PRESSURE" }] })));
    expect(open).toMatchObject({ situation: "red-flag-escalated", tone: "wait" });
    expect(open!.say).not.toMatch(/flag/i);
    expect(kindsOf(open)).toEqual(["close-case", "revoke"]);
    const ready = caseGuidance(input(verified({ redFlags: [{ kind: "PRESSURE" }] })));
    expect(kindsOf(ready)).toEqual(["request-reenrolment", "close-case", "revoke"]);
  });

  it("a failed step: the agent is told a supervisor can reopen it; that supervisor gets the button", () => {
    const failed = facts({
      steps: [
        { kind: "CALLBACK", outcome: "FAILED" },
        { kind: "EMPLOYEE_RECORD", outcome: "PENDING" },
      ],
    });
    const forAgent = caseGuidance(input(failed));
    expect(forAgent).toMatchObject({ situation: "step-failed", tone: "stop" });
    expect(forAgent!.title).toBe(
      "“Call back on the phone of record” failed, so the case is stopped. If that was a mistake, a supervisor can allow a retry.",
    );
    expect(forAgent!.next[0]!.text).toMatch(
      /^A supervisor of Service Desk North who did not work this case can reopen the step/,
    );
    expect(kindsOf(forAgent)).toEqual(["close-case", "revoke"]);
    const forSupervisor = caseGuidance(input(failed, { viewer: SUPERVISOR }));
    expect(actionsOf(forSupervisor)[0]).toEqual({ kind: "reopen-step", step: "CALLBACK" });
    // A supervisor who worked the case is not its second person.
    const worked = caseGuidance(input(failed, { viewer: { ...SUPERVISOR, workedCase: true } }));
    expect(kindsOf(worked)).not.toContain("reopen-step");
  });

  it("a manager's denial: never say the manager said no; reopening the manager's step is the supervisor's", () => {
    const denied = facts({
      onHold: true,
      steps: [
        { kind: "CALLBACK", outcome: "PASSED" },
        { kind: "MANAGER_CONFIRMATION", outcome: "FAILED" },
      ],
    });
    const forAgent = caseGuidance(input(denied));
    expect(forAgent).toMatchObject({ situation: "manager-denied", tone: "stop" });
    expect(forAgent!.title).toContain("“Manager confirms” failed, so the case is stopped.");
    expect(forAgent!.say).not.toMatch(TELLTALE);
    expect(forAgent!.avoid).toContain("Don't say that their manager said no");
    expect(kindsOf(forAgent)).toEqual(["open-user", "close-case", "revoke"]);
    const forSupervisor = caseGuidance(input(denied, { viewer: SUPERVISOR }));
    expect(actionsOf(forSupervisor)[0]).toEqual({
      kind: "reopen-step",
      step: "MANAGER_CONFIRMATION",
    });
  });

  it("a check failed on another case of the person: the person's page, where that case is", () => {
    const guidance = caseGuidance(input(facts({ failedElsewhere: true })));
    expect(guidance).toMatchObject({ situation: "failed-elsewhere", tone: "stop" });
    expect(kindsOf(guidance)).toEqual(["open-user", "close-case", "revoke"]);
  });

  it("a hold after a denial: a supervisor clears it on the person's page, others are told who", () => {
    const held = facts({ onHold: true });
    const forAgent = caseGuidance(input(held));
    expect(forAgent).toMatchObject({ situation: "on-hold", tone: "stop" });
    expect(kindsOf(forAgent)).toEqual(["open-user", "close-case", "revoke"]);
    expect(forAgent!.next[0]!.text).toContain("clears the hold");
    const forSupervisor = caseGuidance(input(held, { viewer: SUPERVISOR }));
    expect(kindsOf(forSupervisor)).toEqual(["clear-hold", "close-case", "revoke"]);
  });

  it("a leaver: no recovery, revoke with the reason Leaver, close", () => {
    const guidance = caseGuidance(input(facts({ leaver: true })));
    expect(guidance).toMatchObject({ situation: "leaver", tone: "stop" });
    expect(guidance!.say).toBe(
      "I'm not able to restore access to this account. Please speak to your manager or to HR.",
    );
    expect(kindsOf(guidance)).toEqual(["revoke", "close-case"]);
  });

  it("a step that could not be completed and that nothing else can replace: call back later, reopen, hand over", () => {
    const stuck = highRisk([
      { kind: "CALLBACK", outcome: "PASSED" },
      { kind: "MANAGER_CONFIRMATION", outcome: "PENDING" },
      { kind: "ID_DOCUMENT", outcome: "UNABLE" },
      { kind: "EMPLOYEE_RECORD", outcome: "PENDING" },
    ]);
    const forAgent = caseGuidance(input(stuck));
    expect(forAgent).toMatchObject({ situation: "step-unable", tone: "wait" });
    expect(forAgent!.title).toContain("“Photo ID on video” could not be completed");
    expect(forAgent!.next[0]!.text).toMatch(/^Call back later/);
    expect(kindsOf(forAgent)).toEqual(["hand-over", "close-case"]);
    const forSupervisor = caseGuidance(input(stuck, { viewer: SUPERVISOR }));
    expect(actionsOf(forSupervisor)[0]).toEqual({ kind: "reopen-step", step: "ID_DOCUMENT" });
    // On a standard case another step of the same group can still pass: no dead end.
    const alternative = facts({
      steps: [
        { kind: "CALLBACK", outcome: "PASSED" },
        { kind: "PASSKEY_PROOF", outcome: "UNABLE" },
        { kind: "MANAGER_CONFIRMATION", outcome: "PENDING" },
        { kind: "ID_DOCUMENT", outcome: "PENDING" },
        { kind: "EMPLOYEE_RECORD", outcome: "PENDING" },
      ],
    });
    expect(caseGuidance(input(alternative))).toBeNull();
  });

  it("a supervisor's denial closed the case: no new case until the hold is cleared", () => {
    const guidance = caseGuidance(
      input(verified({ status: "CLOSED", onHold: true, riskTier: "HIGH_RISK" }), {
        approvals: [{ status: "DENIED", expiresAt: minutes(-5), createdAt: minutes(-20) }],
      }),
    );
    expect(guidance).toMatchObject({ situation: "supervisor-denied", tone: "stop" });
    expect(guidance!.avoid).toBe("Don't share the supervisor's reason or name.");
    expect(kindsOf(guidance)).toEqual(["open-user", "revoke"]);
    const forSupervisor = caseGuidance(
      input(verified({ status: "CLOSED", onHold: true }), {
        approvals: [{ status: "DENIED", expiresAt: null, createdAt: minutes(-20) }],
        viewer: SUPERVISOR,
      }),
    );
    expect(kindsOf(forSupervisor)).toEqual(["clear-hold", "revoke"]);
  });

  it("reported as not them: the case is over, security has it", () => {
    const guidance = caseGuidance(
      input(facts({ status: "CLOSED", onHold: true }), { reportedNotThem: true }),
    );
    expect(guidance).toMatchObject({ situation: "reported-not-them", tone: "stop" });
    expect(guidance!.avoid).toBe("Don't say who reported it, or how.");
    expect(kindsOf(guidance)).toEqual(["revoke", "open-user"]);
  });

  it("a closed case: a new case from the person's page, as a repeat call", () => {
    const guidance = caseGuidance(input(verified({ status: "CLOSED" })));
    expect(guidance).toMatchObject({ situation: "closed", tone: "stop" });
    expect(guidance!.say).toContain("a supervisor will need to approve it");
    expect(actionsOf(guidance)).toEqual([{ kind: "open-user" }]);
  });

  it("a revoked case: close it, and a new recovery from the person's page", () => {
    const guidance = caseGuidance(input(verified({ status: "REVOKED" })));
    expect(guidance).toMatchObject({ situation: "revoked", tone: "stop" });
    expect(kindsOf(guidance)).toEqual(["close-case", "open-user"]);
  });
});

describe("caseGuidance: waiting, lapsed and expired", () => {
  const pendingHighRisk = highRisk(
    [
      { kind: "CALLBACK", outcome: "PASSED" },
      { kind: "MANAGER_CONFIRMATION", outcome: "PASSED" },
      { kind: "ID_DOCUMENT", outcome: "PASSED" },
      { kind: "EMPLOYEE_RECORD", outcome: "PASSED" },
    ],
    { status: "PENDING_APPROVAL" },
  );

  it("waiting for a supervisor: what the caller can expect; the second person is sent to Approvals", () => {
    const approvals = [{ status: "PENDING", expiresAt: minutes(20), createdAt: minutes(-10) }];
    const forAgent = caseGuidance(input(pendingHighRisk, { approvals }));
    expect(forAgent).toMatchObject({ situation: "waiting-approval", tone: "wait" });
    expect(forAgent!.say).toContain("within 30 minutes");
    expect(forAgent!.title).toContain("high-risk tier");
    expect(kindsOf(forAgent)).toEqual(["hand-over"]);
    const forSupervisor = caseGuidance(input(pendingHighRisk, { approvals, viewer: SUPERVISOR }));
    expect(kindsOf(forSupervisor)).toEqual(["approvals", "hand-over"]);
    const noOtherTeam = caseGuidance(
      input(pendingHighRisk, { approvals, viewer: { ...AGENT, canHandOver: false } }),
    );
    expect(kindsOf(noOtherTeam)).toEqual([]);
  });

  it("an approval that lapsed (as the page shows it, back to verified): ask again", () => {
    const approvals = [{ status: "PENDING", expiresAt: minutes(-1), createdAt: minutes(-31) }];
    const guidance = caseGuidance(input({ ...pendingHighRisk, status: "VERIFIED" }, { approvals }));
    expect(guidance).toMatchObject({ situation: "approval-lapsed", tone: "wait" });
    expect(actionsOf(guidance)[0]).toEqual({ kind: "request-reenrolment" });
    const recorded = caseGuidance(
      input(
        { ...pendingHighRisk, status: "VERIFIED" },
        { approvals: [{ ...approvals[0]!, status: "EXPIRED" }] },
      ),
    );
    expect(recorded?.situation).toBe("approval-lapsed");
  });

  it("a manager's request that expired unanswered: send a new one", () => {
    const waiting = facts({
      steps: [
        { kind: "CALLBACK", outcome: "PASSED" },
        { kind: "PASSKEY_PROOF", outcome: "PENDING" },
        { kind: "MANAGER_CONFIRMATION", outcome: "PENDING" },
        { kind: "ID_DOCUMENT", outcome: "PENDING" },
        { kind: "EMPLOYEE_RECORD", outcome: "PASSED" },
      ],
    });
    const guidance = caseGuidance(
      input(waiting, {
        stepLinks: [{ kind: "MANAGER_CONFIRMATION", ...issued(-40, -10) }],
      }),
    );
    expect(guidance).toMatchObject({ situation: "link-expired", tone: "wait" });
    expect(guidance!.say).toContain("I'm sending a new one now");
    expect(actionsOf(guidance)).toEqual([{ kind: "resend-link", step: "MANAGER_CONFIRMATION" }]);
    // A newer request that still waits is not a dead end.
    expect(
      caseGuidance(
        input(waiting, {
          stepLinks: [
            { kind: "MANAGER_CONFIRMATION", ...issued(-40, -10) },
            { kind: "MANAGER_CONFIRMATION", ...issued(-5, 25) },
          ],
        }),
      ),
    ).toBeNull();
  });

  it("an enrolment link that expired: ask again, or after an approval, a new case", () => {
    const again = caseGuidance(input(verified(), { enrolmentLinks: [issued(-20, -10)] }));
    expect(again).toMatchObject({ situation: "enrolment-link-expired", tone: "wait" });
    expect(actionsOf(again)).toEqual([{ kind: "request-reenrolment" }]);
    const approved = caseGuidance(
      input(verified({ status: "APPROVED", riskTier: "HIGH_RISK" }), {
        enrolmentLinks: [issued(-20, -10)],
      }),
    );
    expect(approved).toMatchObject({ situation: "enrolment-link-expired", tone: "stop" });
    expect(kindsOf(approved)).toEqual(["close-case", "open-user"]);
  });

  it("a pass that expired unused: issue a new one", () => {
    const guidance = caseGuidance(
      input(verified({ status: "FACTOR_ISSUED" }), { passes: [issued(-70, -10)] }),
    );
    expect(guidance).toMatchObject({ situation: "pass-expired", tone: "wait" });
    expect(kindsOf(guidance)).toEqual(["issue-pass", "close-case"]);
    expect(
      caseGuidance(input(verified({ status: "FACTOR_ISSUED" }), { passes: [issued(-10, 50)] })),
    ).toBeNull();
  });

  it("no verified address: nothing can be sent, HR first", () => {
    const guidance = caseGuidance(input(verified(), { hasVerifiedAddress: false }));
    expect(guidance).toMatchObject({ situation: "no-verified-address", tone: "stop" });
    expect(guidance!.avoid).toBe("Never send anything to an address the caller gives you.");
  });

  it("nothing blocks a call that is going well, nor one that ended in a new passkey", () => {
    expect(caseGuidance(input(facts()))).toBeNull();
    expect(caseGuidance(input(verified()))).toBeNull();
    expect(caseGuidance(input(verified({ status: "REENROLLED" })))).toBeNull();
  });
});

describe("caseGuidance covers every case status", () => {
  // The stop states always say something; a waiting state does; the others only when blocked.
  const expected: Record<CaseStatus, string | null> = {
    OPEN: null,
    VERIFIED: null,
    PENDING_APPROVAL: "waiting-approval",
    APPROVED: null,
    FACTOR_ISSUED: null,
    REENROLLED: null,
    REVOKED: "revoked",
    CLOSED: "closed",
  };
  it.each(CASE_STATUSES)("%s", (status) => {
    const guidance = caseGuidance(input(verified({ status, riskTier: "HIGH_RISK" })));
    expect(guidance?.situation ?? null).toBe(expected[status]);
  });
});

describe("refusalGuidance covers every refusal code", () => {
  it.each(DOMAIN_ERROR_CODES)("%s has words for the caller and a next step", (code) => {
    const guidance = refusalGuidance({
      refusal: { code, message: `the server's words for ${code}` },
      viewer: AGENT,
      policy,
      team: "Service Desk North",
    });
    expect(SITUATIONS).toContain(guidance.situation);
    expect(guidance.title).toContain(`the server's words for ${code}`);
    expect(guidance.say.length).toBeGreaterThan(20);
    expect(guidance.next.length).toBeGreaterThan(0);
  });

  it("every refusal decideOpenCase gives when a case cannot be opened", () => {
    const refusals = [
      decideOpenCase({ policy, leaver: true, casesInWindow: 0 }),
      decideOpenCase({ policy, leaver: false, onHold: true, casesInWindow: 0 }),
      decideOpenCase({ policy, leaver: false, casesInWindow: 3 }),
    ];
    expect(
      refusals.map((refusal) => {
        if (refusal.ok) throw new Error("expected a refusal");
        return refusalGuidance({ refusal, viewer: AGENT, policy }).situation;
      }),
    ).toEqual(["leaver", "on-hold", "repeat-call-blocked"]);
  });

  it("a repeat call blocked: says when it was refused, and that a new case waits for the window", () => {
    const refusal = decideOpenCase({ policy, leaver: false, casesInWindow: 3 });
    if (refusal.ok) throw new Error("expected a refusal");
    const guidance = refusalGuidance({
      refusal,
      viewer: AGENT,
      policy,
      refusedAt: new Date("2026-11-24T10:42:31Z"),
    });
    expect(guidance.title).toBe(
      "This is recovery call 4 for this person in 24 hours: blocked, and security has been alerted. (refused at 10:42 UTC)",
    );
    expect(guidance.say).toContain("Our security team has been told");
    expect(guidance.avoid).toBe("Don't say how many calls there were or when they stop counting.");
    expect(guidance.next[0]!.text).toContain("more than 24 hours old");
    expect(kindsOf(guidance)).toEqual(["open-user", "revoke"]);
  });

  it("on the person's page, a hold is cleared there by a supervisor; an agent is told who", () => {
    const refusal = { code: "ON_HOLD" as const, message: "On hold." };
    expect(kindsOf(refusalGuidance({ refusal, viewer: AGENT, policy }))).toEqual([
      "open-user",
      "revoke",
    ]);
    expect(kindsOf(refusalGuidance({ refusal, viewer: SUPERVISOR, policy }))).toEqual([
      "clear-hold",
      "revoke",
    ]);
  });

  it("tells a teamless agent and another team's agent apart", () => {
    const noTeam = refusalGuidance({
      refusal: {
        code: "FORBIDDEN",
        message: "Your account has no team, so you cannot work cases.",
      },
      viewer: AGENT,
      policy,
    });
    expect(noTeam.situation).toBe("no-team");
    const other = refusalGuidance({
      refusal: {
        code: "FORBIDDEN",
        message: "This case belongs to Service Desk South, not North.",
      },
      viewer: AGENT,
      policy,
    });
    expect(other.situation).toBe("another-team");
  });
});

describe("what the guidance offers is what the viewer can do", () => {
  const step = fc.record({
    kind: fc.constantFrom(...STEP_KINDS),
    outcome: fc.constantFrom(
      "PENDING" as const,
      "PASSED" as const,
      "FAILED" as const,
      "UNABLE" as const,
    ),
  });
  const dated = fc.record({
    createdAt: fc.integer({ min: -120, max: 0 }).map(minutes),
    expiresAt: fc.integer({ min: -60, max: 60 }).map(minutes),
    usedAt: fc.option(fc.constant(minutes(-1))),
    voidedAt: fc.option(fc.constant(minutes(-1))),
  });
  const arbitrary = fc.record({
    facts: fc.record({
      status: fc.constantFrom(...CASE_STATUSES),
      riskTier: fc.constantFrom(...RISK_TIERS),
      reason: fc.constant("LOST_DEVICE" as const),
      leaver: fc.boolean(),
      onHold: fc.boolean(),
      failedElsewhere: fc.boolean(),
      repeatCall: fc.integer({ min: 1, max: 3 }),
      steps: fc.uniqueArray(step, { selector: (s) => s.kind, maxLength: 5 }),
      redFlags: fc.array(fc.record({ kind: fc.constantFrom(...RED_FLAG_KINDS) }), {
        maxLength: 2,
      }),
    }),
    viewer: fc.record({
      role: fc.constantFrom("AGENT" as const, "SUPERVISOR" as const, "SECURITY" as const),
      workedCase: fc.boolean(),
      canHandOver: fc.boolean(),
    }),
    hasVerifiedAddress: fc.boolean(),
    reportedNotThem: fc.boolean(),
    approvals: fc.array(
      fc.record({
        status: fc.constantFrom("PENDING", "APPROVED", "DENIED", "EXPIRED", "USED", "VOIDED"),
        expiresAt: fc.option(fc.integer({ min: -60, max: 60 }).map(minutes)),
        createdAt: fc.integer({ min: -120, max: 0 }).map(minutes),
      }),
      { maxLength: 2 },
    ),
    stepLinks: fc.array(
      fc.record({ kind: fc.constantFrom("MANAGER_CONFIRMATION" as const), link: dated }),
      { maxLength: 2 },
    ),
    enrolmentLinks: fc.array(dated, { maxLength: 2 }),
    passes: fc.array(dated, { maxLength: 2 }),
  });

  it("never offers an action whose form the page would not show, and says something on every stop", () => {
    fc.assert(
      fc.property(arbitrary, (drawn) => {
        const viewer: GuidanceViewer = {
          ...drawn.viewer,
          worksCase: can(drawn.viewer.role, "cases:work"),
        };
        const f = drawn.facts as CaseFacts;
        const guidance = caseGuidance({
          ...input(f),
          ...drawn,
          facts: f,
          stepLinks: drawn.stepLinks.map(({ kind, link }) => ({ kind, ...link })),
          viewer,
        });
        const page = availableActions({
          policy,
          facts: f,
          hasVerifiedAddress: drawn.hasVerifiedAddress,
          activePasskeyIds: [],
        });
        const works = viewer.worksCase;
        const allowed = (action: GuidanceAction): boolean => {
          switch (action.kind) {
            case "close-case":
              return works && page.close.ok;
            case "hand-over":
              return works && page.close.ok && isOpenCase(f.status) && viewer.canHandOver;
            case "request-reenrolment":
              return works && page.requestReenrolment.ok;
            case "issue-pass":
              return works && page.issueTap.ok;
            case "resend-link":
              return (
                works &&
                page.sendStepLink[action.step].ok &&
                (f.steps.find((s) => s.kind === action.step)?.outcome ?? "PENDING") === "PENDING"
              );
            case "reopen-step":
              return decideCorrectStep({
                facts: f,
                kind: action.step,
                corrector: { id: "me", role: viewer.role },
                workedByIds: viewer.workedCase ? ["me"] : [],
              }).ok;
            case "clear-hold":
            case "approvals":
              return can(viewer.role, "approvals:decide") && !viewer.workedCase;
            case "revoke":
              return can(viewer.role, "passkeys:revoke");
            case "open-user":
              return can(viewer.role, "users:read");
          }
        };
        for (const action of actionsOf(guidance)) expect(allowed(action), action.kind).toBe(true);
        // A security reviewer works no case: nothing but the person's page and revoking.
        if (viewer.role === "SECURITY")
          expect(kindsOf(guidance).every((kind) => kind === "open-user" || kind === "revoke")).toBe(
            true,
          );
        // Every stop, and every closed or revoked case, is guided; none names the check that
        // caught the caller (a leaver is sent to their manager or HR: no check caught them).
        if (stopReason(policy, f) || !isOpenCase(f.status)) {
          expect(guidance).not.toBeNull();
          if (guidance!.situation !== "leaver") expect(guidance!.say).not.toMatch(TELLTALE);
          expect(guidance!.next.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
