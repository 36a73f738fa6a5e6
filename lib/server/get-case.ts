import "server-only";
import { db } from "@/lib/db";
import { nextStatus } from "@/lib/domain/case-state";
import { maskAddress } from "@/lib/domain/notifications";
import { passTryGate } from "@/lib/domain/rate-limits";
import {
  availableActions,
  decideCorrectStep,
  type CaseFacts,
} from "@/lib/domain/recovery-decisions";
import { caseGuidance } from "@/lib/domain/caller-guidance";
import { can } from "@/lib/domain/roles";
import { findTeams } from "./cases/transfer-case";
import { findCaseColleagues } from "./cases/case-desk";
import { onlyPartOfTheLog } from "./find-audit-events";
import { loadCase } from "./cases/unit-of-work";
import type { CurrentStaff } from "./resume-staff-session";
import { certificationRefusal } from "./practice/certification";
import { withholdGatedActions } from "@/lib/domain/practice/certification";
import type { RiskTier } from "@/lib/domain/workforce";

async function certifiedFor<T extends { id: string }>(people: T[], tier: RiskTier, now: Date) {
  const refused = await Promise.all(
    people.map((person) => certificationRefusal(db, { staffId: person.id, tier, now })),
  );
  return people.filter((_, index) => !refused[index]);
}

/**
 * One case as the case page shows it, with what the viewer may do next: the same domain
 * functions (`availableActions`, `decideCorrectStep`) the use cases enforce under their locks.
 * Secrets (hashes) are never selected. null if none; "forbidden" for another team's case
 * (security reviewers read every team's).
 */
export async function getCaseView(caseId: string, viewer: CurrentStaff, now: Date = new Date()) {
  const kase = await getCase(caseId);
  if (!kase) return null;
  if (viewer.role !== "SECURITY" && (!viewer.team || viewer.team !== kase.team))
    return "forbidden" as const;
  // The same facts the unit of work decides on (read here without locks), so the page offers
  // exactly what the server would allow.
  const loaded = await loadCase(db, caseId, now);
  if (!loaded) return null;
  const { policy, workedByIds } = loaded;
  const holds = await db.recoveryHold.findMany({
    where: { userId: kase.user.id, clearedAt: null },
    select: { reason: true, createdAt: true },
  });
  // A request that expired unanswered lapses at the sweep's next pass, or on the next action
  // (requestReenrolment, decideReenrolment): show the case as it will be.
  const lapsed = kase.approvals.some(
    (approval) =>
      approval.status === "PENDING" && approval.expiresAt !== null && approval.expiresAt <= now,
  );
  const back = lapsed ? nextStatus(kase.status, "EXPIRE_APPROVAL") : null;
  const facts: CaseFacts = {
    ...loaded.facts,
    status: back?.ok ? back.status : loaded.facts.status,
  };
  const verifiedAddresses = await db.workforceEmail.count({
    where: { userId: kase.user.id, verified: true },
  });
  // The certification gate (decision 032): an uncertified viewer is offered no action that advances the recovery.
  // The case's tier, and the person's tier now if it was raised mid-case: as the unit of work checks.
  const notCertified = can(viewer.role, "cases:work")
    ? ((await certificationRefusal(db, { staffId: viewer.id, tier: kase.riskTier, now })) ??
      (await certificationRefusal(db, { staffId: viewer.id, tier: kase.user.riskTier, now })))
    : null;
  const actions = withholdGatedActions(
    availableActions({
      policy,
      facts,
      hasVerifiedAddress: verifiedAddresses > 0,
      activePasskeyIds: kase.user.passkeys.map((p) => p.id),
    }),
    notCertified,
  );
  const correctable = new Set(
    (kase.checklist?.steps ?? [])
      .filter(() => !notCertified)
      .filter(
        (step) => decideCorrectStep({ facts, kind: step.kind, corrector: viewer, workedByIds }).ok,
      )
      .map((step) => step.kind),
  );
  const live = (item: { usedAt: Date | null; voidedAt: Date | null; expiresAt: Date }) =>
    !item.usedAt && !item.voidedAt && item.expiresAt > now;
  const outstanding = [
    ...kase.accessPasses
      .filter(live)
      .map(
        (pass) =>
          `a temporary access pass (valid until ${pass.expiresAt.toISOString().slice(11, 16)} UTC)`,
      ),
    ...kase.enrolmentLinks.filter(live).map(() => "an enrolment link"),
    ...kase.stepLinks.filter(live).map(() => "a confirmation link"),
    ...kase.approvals
      .filter(
        (approval) =>
          approval.status === "PENDING" && (!approval.expiresAt || approval.expiresAt > now),
      )
      .map(() => "a request waiting for a supervisor"),
  ];
  const teams = (await findTeams(db)).filter((team) => team !== kase.team);
  // A dead end, guided: what to tell the caller and what can happen next (decision 025).
  const guidance = caseGuidance({
    policy,
    facts,
    hasVerifiedAddress: verifiedAddresses > 0,
    team: kase.team,
    approvals: kase.approvals,
    stepLinks: kase.stepLinks,
    enrolmentLinks: kase.enrolmentLinks,
    passes: kase.accessPasses,
    reportedNotThem: kase.events.some((event) => event.action === "case.repudiated"),
    viewer: {
      role: viewer.role,
      worksCase: can(viewer.role, "cases:work"),
      workedCase: workedByIds.includes(viewer.id),
      canHandOver: teams.length > 0,
    },
    now,
  });
  return {
    ...kase,
    // A pass resting after wrong guesses (lib/domain/rate-limits.ts) says until when.
    accessPasses: kase.accessPasses.map((pass) => {
      const gate = live(pass) ? passTryGate(pass, policy.tap, now) : { ok: true as const };
      return { ...pass, restingUntil: gate.ok ? null : gate.retryAt };
    }),
    policy,
    facts,
    actions,
    holds,
    outstanding,
    correctable,
    canWork: can(viewer.role, "cases:work"),
    teams,
    guidance,
    notCertified,
    // Only colleagues who could work the case's tier can be handed it.
    colleagues: await certifiedFor(
      (await findCaseColleagues(kase.team)).filter((c) => c.id !== kase.ownerId),
      kase.riskTier,
      now,
    ),
    /** Whether closing told the user that a pass or link they held stopped working (from the close's audit row). */
    closeToldUser: kase.events.some(
      (event) =>
        event.action === "case.closed" &&
        (event.data as { userTold?: unknown } | null)?.userTold === true,
    ),
  };
}

export type CaseView = Exclude<NonNullable<Awaited<ReturnType<typeof getCaseView>>>, "forbidden">;

/** One case as stored, for the case page and the timeline. */
export async function getCase(caseId: string) {
  const kase = await db.recoveryCase.findUnique({
    where: { id: caseId },
    select: {
      id: true,
      status: true,
      reason: true,
      team: true,
      agentId: true,
      channel: true,
      callerClaim: true,
      riskTier: true,
      policyVersion: true,
      repeatCall: true,
      needsApproval: true,
      createdAt: true,
      closedAt: true,
      closeReason: true,
      agent: { select: { name: true } },
      ownerId: true,
      owner: { select: { id: true, name: true } },
      ticketRef: true,
      notes: {
        select: { id: true, body: true, createdAt: true, author: { select: { name: true } } },
        orderBy: { createdAt: "asc" },
      },
      user: {
        select: {
          id: true,
          name: true,
          employeeId: true,
          title: true,
          department: true,
          phoneOfRecord: true,
          riskTier: true,
          status: true,
          leavingOn: true,
          manager: { select: { name: true } },
          _count: { select: { passkeys: { where: { status: "ACTIVE" } } } },
          passkeys: {
            where: { status: "ACTIVE" },
            select: {
              id: true,
              modelName: true,
              nickname: true,
              backedUp: true,
              lastUsedAt: true,
              createdAt: true,
            },
            orderBy: { createdAt: "desc" },
          },
        },
      },
      checklist: {
        select: {
          scriptKey: true,
          steps: {
            select: { kind: true, outcome: true, note: true, recordedAt: true, recordedById: true },
            orderBy: { position: "asc" },
          },
        },
      },
      stepLinks: {
        select: {
          kind: true,
          sentTo: true,
          expiresAt: true,
          usedAt: true,
          voidedAt: true,
          createdAt: true,
        },
        orderBy: { createdAt: "desc" },
      },
      redFlags: {
        select: { kind: true, note: true, createdAt: true, raisedById: true },
        orderBy: { createdAt: "asc" },
      },
      approvals: {
        select: {
          id: true,
          status: true,
          needReason: true,
          reason: true,
          createdAt: true,
          expiresAt: true,
          decidedAt: true,
          requestedById: true,
        },
        orderBy: { createdAt: "desc" },
      },
      enrolmentLinks: {
        select: {
          id: true,
          sentTo: true,
          createdAt: true,
          expiresAt: true,
          usedAt: true,
          voidedAt: true,
          revokePasskeyIds: true,
        },
        orderBy: { createdAt: "desc" },
      },
      accessPasses: {
        select: {
          id: true,
          createdAt: true,
          expiresAt: true,
          usedAt: true,
          voidedAt: true,
          voidReason: true,
          oneTime: true,
          failedAttempts: true,
          lastFailedAt: true,
          maxFailures: true,
        },
        orderBy: { createdAt: "desc" },
      },
    },
  });
  if (!kase) return null;
  // Only events that are part of the log (decision 017): a planted row is not the case's history.
  const events = (
    await onlyPartOfTheLog(
      await db.auditEvent.findMany({ where: { caseId }, orderBy: { id: "asc" } }),
    )
  ).map(({ id, createdAt, action, outcome, reason, actorName, actorRole, data }) => ({
    id,
    createdAt,
    action,
    outcome,
    reason,
    actorName,
    actorRole,
    data,
  }));
  return {
    ...kase,
    activePasskeys: kase.user._count.passkeys,
    stepLinks: kase.stepLinks.map((link) => ({ ...link, sentTo: maskAddress(link.sentTo) })),
    enrolmentLinks: kase.enrolmentLinks.map((link) => ({
      ...link,
      sentTo: link.sentTo ? maskAddress(link.sentTo) : "",
    })),
    events: events.map((event) => ({ ...event, id: event.id.toString() })),
  };
}

export type CasePage = NonNullable<Awaited<ReturnType<typeof getCase>>>;
