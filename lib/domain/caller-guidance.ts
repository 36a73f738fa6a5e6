/**
 * Guided dead ends (decision 025): when a recovery cannot go on (a red flag, a failed or
 * impossible step, a manager's or a supervisor's denial, a hold, a repeat-call block, a leaver, a
 * lapsed approval, an expired link or pass, a closed or revoked case), what the agent SAYS to the
 * caller, what NOT to say, and what can happen next, each next step with the real action it maps
 * to. Pure: the case page and the user page pass the facts they already read, and show exactly
 * what this returns.
 *
 * Every action offered is one the viewer can take right now, decided by the same functions the
 * page and the use cases use (`availableActions`, `can`): an agent is never sent to a button they
 * do not have, and a security reviewer, who works no case, is offered only what their role does
 * (open the person's page, revoke). A next step nobody on screen can take is still said, in words
 * ("a supervisor of the team reviews it"), with no action.
 */
import { evaluateChecklist, type StepOutcome } from "./checklist";
import { isOpenCase } from "./case-state";
import type { DomainErrorCode } from "./errors";
import {
  availableActions,
  decideCorrectStep,
  stopReason,
  type AvailableActions,
  type CaseFacts,
  type Refusal,
} from "./recovery-decisions";
import { scriptFor, type RecoveryPolicy } from "./recovery-policy";
import { can, type StaffRole } from "./roles";
import { isLinked, type LinkedStep, type StepKind } from "./step-kinds";

/** The real actions a next step can point to (the page turns each into a link to its form). */
export type GuidanceAction =
  /** A supervisor who did not work the case reopens a failed or incomplete step (case page). */
  | { kind: "reopen-step"; step: StepKind }
  /** Send a new one-time link for a step (case page); it voids the last one. */
  | { kind: "resend-link"; step: LinkedStep }
  /** Request the re-enrolment (again) (case page). */
  | { kind: "request-reenrolment" }
  /** Issue a new pass, which replaces the old one (case page). */
  | { kind: "issue-pass" }
  /** Close the case (case page). */
  | { kind: "close-case" }
  /** Hand the case over to another team (case page). */
  | { kind: "hand-over" }
  /** Revoke the person's passkeys (user page). */
  | { kind: "revoke" }
  /** Clear the hold a denial put on the person (user page, supervisors). */
  | { kind: "clear-hold" }
  /** The person's page: their cases, holds and passkeys; a new case opens there. */
  | { kind: "open-user" }
  /** The approvals queue (supervisors who did not work the case). */
  | { kind: "approvals" };

export type NextStep = { text: string; action?: GuidanceAction };

/** Every dead end the console knows, one key each (the page marks the panel with it). */
export const SITUATIONS = [
  "red-flag",
  "red-flag-escalated",
  "step-failed",
  "manager-denied",
  "failed-elsewhere",
  "step-unable",
  "on-hold",
  "supervisor-denied",
  "reported-not-them",
  "leaver",
  "repeat-call-blocked",
  "waiting-approval",
  "approval-needed",
  "approval-lapsed",
  "link-expired",
  "enrolment-link-expired",
  "pass-expired",
  "no-verified-address",
  "verification-incomplete",
  "not-possible-now",
  "another-team",
  "no-team",
  "someone-else",
  "closed",
  "revoked",
  "agent-side",
] as const;
export type Situation = (typeof SITUATIONS)[number];

export type Guidance = {
  situation: Situation;
  /** "stop": nothing more happens on this call; "wait": something is under way or must be asked again. */
  tone: "stop" | "wait";
  /** What happened, for the agent, in the server's words where it has some. */
  title: string;
  /** What to tell the caller, to read out. */
  say: string;
  /** What not to say (what an impostor must not learn). */
  avoid?: string;
  /** What can happen next, in order, each with its action when the viewer can take it. */
  next: NextStep[];
};

/** Who is looking: the page knows it from the session and the case. */
export type GuidanceViewer = {
  role: StaffRole;
  /** May do this case's actions: `cases:work` and the case's team. */
  worksCase: boolean;
  /** Did anything on this case: never its second person (reopening, clearing its hold, approving). */
  workedCase: boolean;
  /** There are other teams the case could be handed to. */
  canHandOver: boolean;
};

type Dated = { createdAt: Date };
type Issued = Dated & { expiresAt: Date; usedAt: Date | null; voidedAt: Date | null };

export type CaseGuidanceInput = {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  hasVerifiedAddress: boolean;
  team: string | null;
  approvals: readonly (Dated & { status: string; expiresAt: Date | null })[];
  stepLinks: readonly (Issued & { kind: StepKind })[];
  enrolmentLinks: readonly Issued[];
  passes: readonly Issued[];
  /** The person followed a "this wasn't me" link about this case. */
  reportedNotThem: boolean;
  viewer: GuidanceViewer;
  now: Date;
};

const SAY = {
  cannotContinue:
    "I'm sorry, I can't go ahead with this recovery on this call. For your security we only continue when every check is complete. The service desk will contact you using the details we hold for you.",
  doNotReveal:
    "Don't say which check or answer stopped it, and don't offer a way round it (another number, another address, a colleague's phone).",
};

function newest<T extends Dated>(items: readonly T[]): T | undefined {
  return [...items].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

function isLive(item: Issued, now: Date): boolean {
  return !item.usedAt && !item.voidedAt && item.expiresAt > now;
}

/** What the viewer may do, from the same decisions the page renders. */
type Offers = {
  close: boolean;
  handOver: boolean;
  requestReenrolment: boolean;
  issuePass: boolean;
  resend: (step: LinkedStep) => boolean;
  reopen: (step: StepKind) => boolean;
  clearHold: boolean;
  approvals: boolean;
  revoke: boolean;
  openUser: boolean;
};

function offersFor(
  viewer: GuidanceViewer,
  actions: AvailableActions | null,
  facts: CaseFacts | null,
): Offers {
  const works = viewer.worksCase && actions !== null;
  const open = facts !== null && isOpenCase(facts.status);
  const secondPerson = can(viewer.role, "approvals:decide") && !viewer.workedCase;
  return {
    close: works && actions.close.ok,
    handOver: works && open && actions.close.ok && viewer.canHandOver,
    requestReenrolment: works && actions.requestReenrolment.ok,
    issuePass: works && actions.issueTap.ok,
    resend: (step) =>
      works &&
      actions.sendStepLink[step].ok &&
      (facts?.steps.find((s) => s.kind === step)?.outcome ?? "PENDING") === "PENDING",
    // The page shows the reopen form exactly where decideCorrectStep allows this viewer.
    reopen: (step) =>
      facts !== null &&
      decideCorrectStep({
        facts,
        kind: step,
        corrector: { id: "viewer", role: viewer.role },
        workedByIds: viewer.workedCase ? ["viewer"] : [],
      }).ok,
    clearHold: secondPerson && (facts === null || facts.onHold),
    approvals: secondPerson,
    revoke: can(viewer.role, "passkeys:revoke"),
    openUser: can(viewer.role, "users:read"),
  };
}

/** Revoking when an attack is suspected: offered to whoever may revoke, said to the others. */
function revokeIfSuspected(offers: Offers): NextStep {
  return offers.revoke
    ? {
        text: "If you suspect someone is trying to take over the account, revoke the person's passkeys now: it needs no approval.",
        action: { kind: "revoke" },
      }
    : {
        text: "If you suspect someone is trying to take over the account, ask an agent, a supervisor or a security reviewer to revoke the person's passkeys.",
      };
}

function closeStep(offers: Offers, text = "Close the case, saying what happened."): NextStep[] {
  return offers.close ? [{ text, action: { kind: "close-case" } }] : [];
}

function handOverStep(offers: Offers, text: string): NextStep[] {
  return offers.handOver ? [{ text, action: { kind: "hand-over" } }] : [];
}

const NO_SUPERVISOR_FREE =
  "If no supervisor of your team who did not work this case can decide it, hand the case over: the other team's supervisors decide.";

function secondLook(offers: Offers, team: string | null, what: string): NextStep {
  return {
    text: `A supervisor of ${team ?? "the case's team"} who did not work this case ${what}.`,
  };
}

type Build = { offers: Offers; team: string | null; policy: RecoveryPolicy | null };

/**
 * The guidance for a refusal a page shows outside a case (opening a case was blocked: a leaver,
 * a hold, a repeat call): one for every refusal code, so no refusal leaves the agent without
 * words. Case actions are offered only by `caseGuidance`, which knows the case.
 */
export function refusalGuidance(input: {
  refusal: Pick<Refusal, "code" | "message">;
  viewer: GuidanceViewer;
  policy: RecoveryPolicy;
  team?: string | null;
  /** When the refusal happened, if it was earlier than this page (a blocked opening). */
  refusedAt?: Date | null;
}): Guidance {
  const build: Build = {
    offers: offersFor(input.viewer, null, null),
    team: input.team ?? null,
    policy: input.policy,
  };
  const guidance = BY_CODE[input.refusal.code](input.refusal.message, build);
  return input.refusedAt
    ? { ...guidance, title: `${guidance.title} (refused at ${utcTime(input.refusedAt)})` }
    : guidance;
}

/** 14:05 UTC: every time in the console is UTC. */
function utcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

const windowText = (policy: RecoveryPolicy | null) =>
  policy ? `${policy.repeatCalls.windowHours} hours` : "the repeat-call window";

function leaver(message: string, { offers }: Build): Guidance {
  return {
    situation: "leaver",
    tone: "stop",
    title: message,
    say: "I'm not able to restore access to this account. Please speak to your manager or to HR.",
    avoid:
      "Don't confirm or discuss the person's employment status, and don't suggest another way in.",
    next: [
      offers.revoke
        ? {
            text: "Revoke the passkeys they still have, with the reason “Leaver”.",
            action: { kind: "revoke" },
          }
        : { text: "Their remaining passkeys should be revoked with the reason “Leaver”." },
      ...closeStep(offers),
    ],
  };
}

function onHold(message: string, { offers, team }: Build): Guidance {
  return {
    situation: "on-hold",
    tone: "stop",
    title: message,
    say: "I can't start a recovery for your account at the moment: it needs a review first. The service desk will contact you using the details we hold for you once it's done.",
    avoid: "Don't say who denied an earlier request, or why.",
    next: [
      offers.clearHold
        ? {
            text: "Review the denial and, if recovery may go on, clear the hold on the person's page (your note is audited).",
            action: { kind: "clear-hold" },
          }
        : {
            ...secondLook(
              offers,
              team,
              "reviews the denial and clears the hold on the person's page",
            ),
            ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
          },
      ...closeStep(offers),
      revokeIfSuspected(offers),
    ],
  };
}

function throttled(message: string, { offers, policy }: Build): Guidance {
  return {
    situation: "repeat-call-blocked",
    tone: "stop",
    title: message,
    say: "We've had several recovery requests for your account recently, so I can't open another one now. Our security team has been told and will contact you using the details we hold for you.",
    avoid: "Don't say how many calls there were or when they stop counting.",
    next: [
      {
        text: `Call back later: a new case can be opened once the earlier calls are more than ${windowText(policy)} old, and it needs a supervisor's approval.`,
      },
      ...(offers.openUser
        ? [
            {
              text: "If a case of this person is still open, carry on there instead of opening another.",
              action: { kind: "open-user" } as const,
            },
          ]
        : []),
      revokeIfSuspected(offers),
    ],
  };
}

function redFlag(message: string, { offers, policy }: Build, flag?: FlagFacts): Guidance {
  return {
    situation: "red-flag",
    tone: "stop",
    title: flag?.guidance ? `${message} ${flag.guidance}` : message,
    say: SAY.cannotContinue,
    avoid: SAY.doNotReveal,
    next: [
      ...closeStep(offers, "Close the case, saying what the caller did."),
      revokeIfSuspected(offers),
      {
        text: `A new call for this person within ${windowText(policy)} is stopped by the same flag: tell them the service desk will contact them.`,
      },
    ],
  };
}

function stopped(message: string, build: Build, failed?: FailedFacts): Guidance {
  const { offers, team } = build;
  const reopen: NextStep =
    failed && offers.reopen(failed.kind)
      ? {
          text: "If it was a misclick, or you allow a retry, reopen the step (your reason is audited).",
          action: { kind: "reopen-step", step: failed.kind },
        }
      : secondLook(offers, team, "can reopen the step if it was a misclick or a retry is allowed");
  if (failed?.kind === "MANAGER_CONFIRMATION") {
    return {
      situation: "manager-denied",
      tone: "stop",
      title: `${message} The manager of record denied the request, so the person's recovery is on hold.`,
      say: SAY.cannotContinue,
      avoid:
        "Don't say that their manager said no, and don't suggest they ask their manager to try again.",
      next: [
        failed && offers.reopen(failed.kind)
          ? {
              text: "If the manager answered by mistake (check with them first), reopen the manager's step: it also clears the hold.",
              action: { kind: "reopen-step", step: failed.kind },
            }
          : {
              ...secondLook(
                offers,
                team,
                "reviews the denial: they reopen the manager's step or clear the hold",
              ),
              ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
            },
        ...closeStep(offers),
        revokeIfSuspected(offers),
      ],
    };
  }
  if (!failed) {
    return {
      situation: "failed-elsewhere",
      tone: "stop",
      title: message,
      say: SAY.cannotContinue,
      avoid: SAY.doNotReveal,
      next: [
        {
          ...secondLook(offers, team, "reviews the other case first (it is on the person's page)"),
          ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
        },
        ...closeStep(offers),
        revokeIfSuspected(offers),
      ],
    };
  }
  return {
    situation: "step-failed",
    tone: "stop",
    title: message,
    say: SAY.cannotContinue,
    avoid: SAY.doNotReveal,
    next: [reopen, ...closeStep(offers), revokeIfSuspected(offers)],
  };
}

function approvalNeeded(message: string, { offers }: Build): Guidance {
  return {
    situation: "approval-needed",
    tone: "wait",
    title: message,
    say: "Before I can set up a new passkey for you, a second person has to approve it. I'm asking for that now; once it's approved you'll receive an email with a link to set it up.",
    next: offers.requestReenrolment
      ? [
          {
            text: "Request the re-enrolment: a supervisor who did not work the case approves it.",
            action: { kind: "request-reenrolment" },
          },
        ]
      : [{ text: "Finish verification, then request the re-enrolment for a supervisor." }],
  };
}

function verificationIncomplete(message: string): Guidance {
  return {
    situation: "verification-incomplete",
    tone: "wait",
    title: message,
    say: "I still need to complete a few checks before I can help you further.",
    next: [{ text: "Carry on with the verification script above." }],
  };
}

function noAddress(message: string, { offers }: Build): Guidance {
  return {
    situation: "no-verified-address",
    tone: "stop",
    title: message,
    say: "I can't send you a pass or a link, because we have no verified email address on record for you. Please ask HR to update your contact details, then call us back.",
    avoid: "Never send anything to an address the caller gives you.",
    next: [
      {
        text: "Call back later, once HR has recorded a verified address.",
        ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
      },
      ...closeStep(offers),
    ],
  };
}

function anotherTeam(message: string, { offers }: Build): Guidance {
  return {
    situation: "another-team",
    tone: "stop",
    title: message,
    say: "Let me pass you to the team that is handling your request; please hold on.",
    next: [
      {
        text: "The case's own team works it, or hands it over to yours.",
        ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
      },
    ],
  };
}

function noTeam(message: string): Guidance {
  return {
    situation: "no-team",
    tone: "stop",
    title: message,
    say: "I'm going to pass you to a colleague who can help; please hold on.",
    next: [
      {
        text: "Pass the call to a colleague with a team, and ask your identity team to set yours.",
      },
    ],
  };
}

function notPossibleNow(message: string, { offers }: Build): Guidance {
  return {
    situation: "not-possible-now",
    tone: "wait",
    title: message,
    say: "One moment please, I need to check where your request stands.",
    next: [
      {
        text: "Reload the page: it shows what can be done now.",
        ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
      },
    ],
  };
}

function agentSide(message: string): Guidance {
  return {
    situation: "agent-side",
    tone: "wait",
    title: message,
    say: "One moment please, I'm checking something on my side.",
    next: [
      {
        text: "Do what the message says (sign in again, confirm it's you, or wait), then try again.",
      },
    ],
  };
}

function forbidden(message: string, build: Build): Guidance {
  if (/no team/i.test(message)) return noTeam(message);
  if (/belongs to/i.test(message)) return anotherTeam(message, build);
  return {
    situation: "someone-else",
    tone: "wait",
    title: message,
    say: "I need a colleague to do this part; please hold on a moment.",
    next: [
      secondLook(
        build.offers,
        build.team,
        "does it (the person who answers a link, or a second person)",
      ),
    ],
  };
}

const BY_CODE: Record<DomainErrorCode, (message: string, build: Build) => Guidance> = {
  LEAVER: leaver,
  ON_HOLD: onHold,
  THROTTLED: throttled,
  RED_FLAG: (message, build) => redFlag(message, build),
  STOPPED: (message, build) => stopped(message, build),
  APPROVAL_REQUIRED: approvalNeeded,
  VERIFICATION_INCOMPLETE: verificationIncomplete,
  CONFLICT: (message, build) =>
    /verified address/i.test(message) ? noAddress(message, build) : notPossibleNow(message, build),
  SEQUENCE: notPossibleNow,
  INVALID_INPUT: notPossibleNow,
  NOT_FOUND: notPossibleNow,
  FORBIDDEN: forbidden,
  UNAUTHENTICATED: agentSide,
  SIGN_IN_REFUSED: agentSide,
  RATE_LIMITED: agentSide,
  STEP_UP_REQUIRED: agentSide,
  NOT_CERTIFIED: forbidden,
};

type FlagFacts = { label: string; guidance: string; effect: "stop" | "escalate" };
type FailedFacts = { kind: StepKind; title: string };

/**
 * The guidance for a case as it stands, or null when nothing blocks the call (the script and
 * the forms say what to do). Judged in the order the server judges: a closed or revoked case,
 * a leaver, the stop reasons (red flag, failed step, a failure elsewhere, a hold), then what is
 * waiting or lapsed (approval, links, pass), then what can never complete.
 */
export function caseGuidance(input: CaseGuidanceInput): Guidance | null {
  const { policy, facts, viewer, now } = input;
  const actions = availableActions({
    policy,
    facts,
    hasVerifiedAddress: input.hasVerifiedAddress,
    activePasskeyIds: [],
  });
  const offers = offersFor(viewer, actions, facts);
  const build: Build = { offers, team: input.team, policy };
  const script = scriptFor(policy, facts.riskTier, facts.reason);
  const titleOf = (kind: StepKind) => script.steps.find((s) => s.kind === kind)?.title ?? kind;
  const approval = newest(input.approvals);
  const lapsed =
    approval !== undefined &&
    (approval.status === "EXPIRED" ||
      (approval.status === "PENDING" && approval.expiresAt !== null && approval.expiresAt <= now));

  if (!isOpenCase(facts.status)) return closedGuidance(input, build, approval?.status);
  if (facts.leaver) return leaver(stopReason(policy, facts)!.message, build);

  const stop = actions.stopped;
  if (stop) {
    if (stop.code === "RED_FLAG") {
      const kind = facts.redFlags.find((f) => policy.redFlags[f.kind]?.effect === "stop")?.kind;
      return redFlag(stop.message, build, kind ? policy.redFlags[kind] : undefined);
    }
    if (stop.code === "STOPPED") {
      const failed = facts.steps.find((step) => step.outcome === "FAILED");
      return stopped(
        stop.message,
        build,
        failed ? { kind: failed.kind, title: titleOf(failed.kind) } : undefined,
      );
    }
    return BY_CODE[stop.code](stop.message, build);
  }

  if (facts.status === "REENROLLED") return null;

  if (facts.status === "PENDING_APPROVAL" || (facts.status === "VERIFIED" && lapsed)) {
    if (lapsed) return approvalLapsed(build);
    return {
      situation: "waiting-approval",
      tone: "wait",
      title: `Waiting for a supervisor to approve the re-enrolment (${actions.approvalNeed ?? "a second person is needed"}).`,
      say: `A second person has to approve this recovery. Once it's approved you'll receive an email with a link to set up your new passkey; approval is usually given within ${policy.approvalMinutes} minutes. You don't need to stay on the line.`,
      avoid: "Don't promise that it will be approved.",
      next: [
        offers.approvals
          ? {
              text: "You did not work this case: you can decide it in Approvals.",
              action: { kind: "approvals" },
            }
          : {
              text: `The supervisors of ${input.team ?? "the case's team"} were told. If nobody decides within ${policy.approvalMinutes} minutes the request lapses and you ask again here.`,
            },
        ...handOverStep(offers, NO_SUPERVISOR_FREE),
      ],
    };
  }

  const link = newest(input.enrolmentLinks);
  if (
    link &&
    !link.usedAt &&
    !link.voidedAt &&
    link.expiresAt <= now &&
    (facts.status === "APPROVED" || facts.status === "VERIFIED")
  ) {
    return enrolmentLinkExpired(build, facts.status === "APPROVED");
  }

  const pass = newest(input.passes);
  if (facts.status === "FACTOR_ISSUED" && pass && !pass.usedAt && !isLive(pass, now)) {
    return {
      situation: "pass-expired",
      tone: "wait",
      title: pass.voidedAt
        ? "The temporary access pass was voided before it was used."
        : "The temporary access pass expired before it was used.",
      say: "Your temporary access pass no longer works. I'm sending you a new one to your verified email address; it replaces the old one. Use it within its time limit.",
      avoid: "Never read a pass out, and never send one anywhere but the address of record.",
      next: [
        offers.issuePass
          ? { text: "Issue a new pass: it replaces the old one.", action: { kind: "issue-pass" } }
          : { text: "The case's team can issue a new pass." },
        ...closeStep(offers, "Or close the case if they no longer need it."),
      ],
    };
  }

  if (facts.status === "OPEN") {
    const expired = expiredStepLink(input, now);
    if (expired) return linkExpired(expired, build);
    // Every step still to do counted as passed: if even that cannot complete the checks, the
    // call is a dead end until a step is reopened.
    const hopeful = script.steps.map((step) => {
      const outcome: StepOutcome =
        facts.steps.find((s) => s.kind === step.kind)?.outcome ?? "PENDING";
      return { kind: step.kind, outcome: outcome === "PENDING" ? ("PASSED" as const) : outcome };
    });
    if (!evaluateChecklist(script, hopeful).complete) {
      const unable = facts.steps.find((step) => step.outcome === "UNABLE");
      return stepUnable(build, unable ? { kind: unable.kind, title: titleOf(unable.kind) } : null);
    }
  }

  const conflict = [actions.issueTap, actions.requestReenrolment].find(
    (allowed) => !allowed.ok && allowed.code === "CONFLICT",
  );
  if (conflict && !conflict.ok) return noAddress(conflict.message, build);

  const escalating = facts.redFlags.find(
    (flag) => policy.redFlags[flag.kind]?.effect === "escalate",
  );
  if (escalating && (facts.status === "OPEN" || facts.status === "VERIFIED")) {
    const flag = policy.redFlags[escalating.kind];
    return {
      situation: "red-flag-escalated",
      tone: "wait",
      title: `A red flag was raised (${flag.label}). ${flag.guidance}`,
      say: "Thank you. Before I can go further, a supervisor has to review this request. If it goes ahead, you'll receive an email with a link to set up your passkey; nothing will be sent anywhere else.",
      avoid: "Don't hurry to please the caller, and don't say a flag was raised.",
      next: [
        offers.requestReenrolment
          ? {
              text: "Once verification is complete, request the re-enrolment for a supervisor to decide.",
              action: { kind: "request-reenrolment" },
            }
          : {
              text: "Finish verification, then request the re-enrolment for a supervisor to decide.",
            },
        ...closeStep(offers, "Or close the case if the caller gives up."),
        revokeIfSuspected(offers),
      ],
    };
  }
  return null;
}

function closedGuidance(
  input: CaseGuidanceInput,
  build: Build,
  approvalStatus: string | undefined,
): Guidance {
  const { offers, policy, team } = build;
  const newCase: NextStep = offers.openUser
    ? {
        text: `If they still need help, open a new case from their page: it counts as a repeat call within ${windowText(policy)} and needs a supervisor's approval.`,
        action: { kind: "open-user" },
      }
    : { text: "If they still need help, a new case is opened from their page." };
  if (input.reportedNotThem) {
    return {
      situation: "reported-not-them",
      tone: "stop",
      title:
        "The person reported this recovery as not them: what it created was undone, security was alerted and recovery is on hold.",
      say: "This request was reported as not made by the account holder, so I can't continue it. Our security team will contact the account holder using the details we hold.",
      avoid: "Don't say who reported it, or how.",
      next: [
        revokeIfSuspected(offers),
        {
          ...secondLook(offers, team, "reviews the report before the hold is cleared"),
          ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
        },
      ],
    };
  }
  if (approvalStatus === "DENIED") {
    return {
      situation: "supervisor-denied",
      tone: "stop",
      title:
        "A supervisor denied the re-enrolment: the case is closed and the person's recovery is on hold.",
      say: "I'm sorry, the recovery can't be approved. The service desk will contact you using the details we hold for you.",
      avoid: "Don't share the supervisor's reason or name.",
      next: [
        offers.clearHold && input.facts.onHold
          ? {
              text: "If you reviewed the denial and recovery may go on, clear the hold on the person's page.",
              action: { kind: "clear-hold" },
            }
          : {
              ...secondLook(
                offers,
                team,
                "reviews the denial; no new case opens until the hold is cleared",
              ),
              ...(offers.openUser ? { action: { kind: "open-user" } as const } : {}),
            },
        revokeIfSuspected(offers),
      ],
    };
  }
  if (input.facts.status === "REVOKED") {
    return {
      situation: "revoked",
      tone: "stop",
      title:
        "The person's passkeys were revoked on this case: passes, links and sessions no longer work.",
      say: "For your security we've revoked your passkeys and signed you out everywhere. To set up a new one, we'll start a new recovery with you.",
      next: [...closeStep(offers, "Close this case."), newCase],
    };
  }
  if (input.facts.leaver) {
    return leaver(
      "This person has left or is suspended: they cannot be recovered. Only revocation is possible.",
      build,
    );
  }
  if (input.facts.onHold) {
    return onHold(
      "The case is closed, and the person's recovery is on hold after a denial.",
      build,
    );
  }
  return {
    situation: "closed",
    tone: "stop",
    title: "This case is closed: nothing it issued works any more.",
    say: "This recovery request is closed. If you still can't sign in, we can start a new one now; because it's another call, a supervisor will need to approve it.",
    next: [newCase],
  };
}

function approvalLapsed({ offers, team, policy }: Build): Guidance {
  return {
    situation: "approval-lapsed",
    tone: "wait",
    title: `The request for a supervisor's approval lapsed: nobody decided it within ${policy?.approvalMinutes ?? "the allowed"} minutes.`,
    say: "The approval took longer than we allow, so I'm asking a supervisor again now. Once it's approved you'll receive an email with a link to set up your new passkey.",
    next: [
      offers.requestReenrolment
        ? { text: "Request the re-enrolment again.", action: { kind: "request-reenrolment" } }
        : { text: `The case's team (${team ?? "no team"}) requests the re-enrolment again.` },
      offers.approvals
        ? {
            text: "You did not work this case: once it is requested again you can decide it in Approvals.",
            action: { kind: "approvals" },
          }
        : { text: "Tell a supervisor who did not work this case that it waits for them." },
      ...handOverStep(offers, NO_SUPERVISOR_FREE),
    ],
  };
}

function enrolmentLinkExpired({ offers, policy }: Build, approved: boolean): Guidance {
  return {
    situation: "enrolment-link-expired",
    tone: approved ? "stop" : "wait",
    title: "The enrolment link expired before the new passkey was set up.",
    say: approved
      ? "The link we sent you has expired, and this approval can't be reused. We'll need to start a new request; a supervisor will approve it again and you'll receive a new link by email."
      : "The link we sent you has expired. I'm sending you a new one now: please open it straight away on the device you want to use.",
    next: approved
      ? [
          ...closeStep(offers, "Close this case: its approval was used by the expired link."),
          offers.openUser
            ? {
                text: `Open a new case from the person's page; it counts as a repeat call within ${windowText(policy)} and needs a supervisor again.`,
                action: { kind: "open-user" },
              }
            : { text: "A new case is opened from the person's page." },
        ]
      : [
          offers.requestReenrolment
            ? {
                text: "Request the re-enrolment again: a new link replaces the old one.",
                action: { kind: "request-reenrolment" },
              }
            : { text: "The case's team requests the re-enrolment again." },
        ],
  };
}

function expiredStepLink(
  input: CaseGuidanceInput,
  now: Date,
): (Issued & { kind: StepKind }) | null {
  const latest = new Map<StepKind, Issued & { kind: StepKind }>();
  for (const link of [...input.stepLinks].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
  ))
    latest.set(link.kind, link);
  for (const link of latest.values()) {
    const step = input.facts.steps.find((s) => s.kind === link.kind);
    if ((step?.outcome ?? "PENDING") !== "PENDING") continue;
    if (!link.usedAt && !link.voidedAt && link.expiresAt <= now) return link;
  }
  return null;
}

function linkExpired(link: { kind: StepKind }, { offers }: Build): Guidance {
  const manager = link.kind === "MANAGER_CONFIRMATION";
  const step = isLinked(link.kind) ? link.kind : null;
  return {
    situation: "link-expired",
    tone: "wait",
    title: manager
      ? "The manager's confirmation request expired unanswered."
      : "The passkey sign-in link expired unused.",
    say: manager
      ? "The confirmation request to your manager expired before they answered. I'm sending a new one now; please ask your manager to look out for an email from the service desk."
      : "The sign-in link expired before it was used. I'm sending you a new one now: open it on a device that still has your passkey.",
    avoid: manager
      ? "Don't ask the caller to forward anything, and never send the request to another address."
      : undefined,
    next: [
      step && offers.resend(step)
        ? {
            text: "Send a new request: it voids the expired one.",
            action: { kind: "resend-link", step },
          }
        : { text: "The case's team sends a new request." },
      {
        text: "If they cannot answer today, call back later: the case stays open until it is closed.",
      },
    ],
  };
}

function stepUnable({ offers, team }: Build, unable: FailedFacts | null): Guidance {
  return {
    situation: "step-unable",
    tone: "wait",
    title: unable
      ? `“${unable.title}” could not be completed, and no other step left in the script can complete the checks.`
      : "No step left in the script can complete the checks.",
    say: "I can't finish verifying you on this call. When you're able to complete the check, call us back and we'll carry on from here.",
    avoid: "Don't accept a different number, address or document instead of the one on record.",
    next: [
      {
        text: "Call back later, when the caller can complete the check (for example at their phone of record).",
      },
      unable && offers.reopen(unable.kind)
        ? {
            text: "When they can, reopen the step so it can be recorded again (your reason is audited).",
            action: { kind: "reopen-step", step: unable.kind },
          }
        : secondLook(offers, team, "reopens the step when the caller can complete it"),
      ...handOverStep(
        offers,
        "If another team can complete the check with the caller (photo ID on video, or at a desk near them), hand the case over.",
      ),
      ...closeStep(offers, "Or close the case if they no longer need it."),
    ],
  };
}
