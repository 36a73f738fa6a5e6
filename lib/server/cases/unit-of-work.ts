import "server-only";
/**
 * The case unit of work: the one way any use case touches a recovery case or a user's ways in.
 * It owns the invariants that every path must share (docs/ARCHITECTURE.md, "The case unit of
 * work"; docs/decisions/012):
 *
 * - **Lock order.** user → case → the link, approval, pass or other row the path acts on, always.
 *   Nothing else in the code takes `FOR UPDATE` (a test holds us to it). Because every path takes
 *   the user's row first, two paths on one user run one after the other and cannot deadlock.
 *   Token paths (a manager's answer, a passkey proof, "this wasn't me", an enrolment link) read
 *   their row *without* a lock to learn the case, then come here, and re-check it under the lock.
 * - **Facts and policy.** The case is loaded after the locks, with the policy *it recorded*
 *   (`policyFor(version)`), never the newest one.
 * - **Permission and team scope.** A staff actor needs the permission and must belong to the
 *   case's team; an agent or supervisor without a team is refused with a clear message.
 * - **Refusals.** A refusal is audited in the same transaction (which then commits nothing else)
 *   and turned into a DomainError after commit.
 * - **Certification.** A staff actor advancing the recovery of a person whose tier the policy
 *   reserves for certified staff needs a current practice certification (docs/decisions/032).
 *   Every path is gated unless it declares one of the `SafeAction`s: a new path is gated by
 *   default, and a path that does not advance a recovery says so, by name, where it is reviewed.
 */
import { Prisma } from "@/generated/prisma/client";
import { DomainError } from "@/lib/domain/errors";
import { tierForCase, type CaseFacts, type Refusal } from "@/lib/domain/recovery-decisions";
import { SIGNAL_RULE_LABELS, type SignalRule } from "@/lib/domain/fraud-signals";
import {
  policyFor,
  SIGNAL_EFFECTS,
  type RecoveryPolicy,
  type RedFlagKind,
  type SignalEffect,
} from "@/lib/domain/recovery-policy";
import { can, type Permission } from "@/lib/domain/roles";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, staffActor, type AuditActor, type Tx, auditedTransaction } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { certificationRefusal } from "../practice/certification";
import { txSql } from "../tx-sql";

/**
 * Staff paths that do not work (advance) a case, so the certification gate does not apply: they
 * stop, record or pass on a case, or are a second person's review of someone else's work.
 */
export type SafeAction =
  | "raise a red flag"
  | "close"
  | "note"
  | "ticket"
  /** A number or address heard on the call: evidence for the fraud signals, never a step. */
  | "record a contact"
  /** To a team, or to a named colleague (who is checked for the tier themselves). */
  | "hand over"
  /**
   * Denying as the second person only stops a recovery. (Approving is gated: the second person is
   * the last check before a high-tier passkey, and must be trained on social engineering too.)
   */
  | "deny as second person"
  /** A supervisor clearing a hold after a denial: a review, like approving. */
  | "clear a hold"
  | "revoke"
  | "employment status"
  /**
   * Marking a break-glass account or declaring its test, and a security reviewer's part in
   * approving a break-glass recovery: a review of others' work, never working the case (decision 039).
   */
  | "break-glass review";

/** Rows a path may lock after the user and the case, in this order. */
export type LockedRow = {
  table: "StepLink" | "EnrolmentLink" | "Approval" | "RepudiationLink" | "TemporaryAccessPass";
  id: string;
};

/**
 * Who acts: a staff member (checked for permission and team), the holder of a one-time link or
 * pass, or the console itself (a periodic sweep: no permission or team, its own name in the trail).
 */
export type CaseActor =
  | { kind: "staff"; staff: CurrentStaff; permission: Permission }
  | { kind: "public"; audit: AuditActor }
  | { kind: "system"; audit: Extract<AuditActor, { type: "SYSTEM" }> };

/** Where a refusal is recorded: staff paths in one action, each public path in its own. */
export type RefusalAction =
  | "case.action_refused"
  | "step.link_refused"
  | "tap.redeem_refused"
  | "passkey.enrol_refused"
  | "case.repudiation_refused"
  | "workforce.sign_in_refused"
  | "workforce.reverify_refused"
  /** Self-service on /account (docs/decisions/036). */
  | "account.change_refused"
  // Recovery codes (issue 15, part B).
  | "codes.redeem_refused"
  | "codes.generate_refused";

export type Outcome<T> = Refusal | { ok: true; value: T };

async function lockRows(
  tx: Tx,
  input: { userId: string; caseId?: string; rows?: readonly LockedRow[] },
): Promise<boolean> {
  const [user] = await txSql(tx).query<{
    id: string;
  }>`/* prepared */ SELECT id FROM "WorkforceUser" WHERE id = ${input.userId}::uuid FOR UPDATE`;
  if (!user) return false;
  if (input.caseId) await lockAfterUser(tx, input.caseId, input.rows);
  return true;
}

/** The case (only if it is this user's, when `userId` is given), then the rows: the rest of the order. */
async function lockAfterUser(
  tx: Tx,
  caseId: string,
  rows: readonly LockedRow[] = [],
  userId?: string,
) {
  if (userId)
    await txSql(tx)
      .query`SELECT id FROM "RecoveryCase" WHERE id = ${caseId}::uuid AND "userId" = ${userId}::uuid FOR UPDATE`;
  else await txSql(tx).query`SELECT id FROM "RecoveryCase" WHERE id = ${caseId}::uuid FOR UPDATE`;
  await lockListed(tx, rows);
}

/** The rows a path acts on, last in the order (after the user, and the case if there is one). */
async function lockListed(tx: Tx, rows: readonly LockedRow[]) {
  for (const row of rows) {
    // The table name comes from the closed union above, never from input.
    await txSql(tx)
      .query`SELECT id FROM ${Prisma.raw(`"${row.table}"`)} WHERE id = ${row.id}::uuid FOR UPDATE`;
  }
}

async function recordRefusal(
  tx: Tx,
  input: {
    action: RefusalAction;
    actor: AuditActor;
    attempted: string;
    refusal: Refusal;
    caseId?: string;
    subjectUserId?: string;
    request?: RequestContext;
  },
) {
  const common = {
    outcome: "REFUSED" as const,
    reason: input.refusal.code,
    actor: input.actor,
    caseId: input.caseId,
    subjectUserId: input.subjectUserId,
    target: input.caseId ? { type: "case", id: input.caseId } : undefined,
    request: input.request,
  };
  const detail = input.refusal.message.slice(0, 300);
  if (input.action === "case.action_refused") {
    await recordAudit(tx, {
      ...common,
      action: "case.action_refused",
      data: { attempted: input.attempted.slice(0, 40), detail },
    });
  } else {
    await recordAudit(tx, { ...common, action: input.action, data: { detail } });
  }
  return input.refusal;
}

const CASE_SELECT = {
  id: true,
  userId: true,
  agentId: true,
  team: true,
  status: true,
  reason: true,
  riskTier: true,
  policyVersion: true,
  repeatCall: true,
  needsApproval: true,
  createdAt: true,
  user: {
    select: {
      id: true,
      name: true,
      employeeId: true,
      status: true,
      leavingOn: true,
      managerId: true,
      phoneOfRecord: true,
      riskTier: true,
    },
  },
  checklist: {
    select: {
      id: true,
      scriptKey: true,
      steps: {
        select: { id: true, kind: true, outcome: true, recordedById: true },
        orderBy: { position: "asc" },
      },
    },
  },
  redFlags: { select: { kind: true, raisedById: true } },
  approvals: { select: { requestedById: true, decidedById: true } },
} satisfies Prisma.RecoveryCaseSelect;

export type LoadedCase = Prisma.RecoveryCaseGetPayload<{ select: typeof CASE_SELECT }>;

/**
 * The facts the domain decides on, read inside the transaction after the locks (the case page
 * reads the same, without locks, to show what the server would decide). They are the person's as
 * well as the case's: a red flag or a failed check on any of the person's recent or open cases,
 * and how many cases they had in the repeat-call window, count for every one of their cases, so
 * an older open case cannot route around what a newer one found.
 */
export async function loadCase(tx: Tx, caseId: string, now: Date) {
  const kase = await tx.recoveryCase.findUnique({ where: { id: caseId }, select: CASE_SELECT });
  if (!kase || !kase.checklist) return null;
  const policy = policyFor(kase.policyVersion);
  const since = new Date(now.getTime() - policy.repeatCalls.windowHours * 60 * 60 * 1000);
  const [holds, related, staffEvents] = await Promise.all([
    tx.recoveryHold.count({ where: { userId: kase.userId, clearedAt: null } }),
    tx.recoveryCase.findMany({
      where: {
        userId: kase.userId,
        id: { not: kase.id },
        OR: [{ createdAt: { gt: since } }, { status: { notIn: ["CLOSED", "REVOKED"] } }],
      },
      select: {
        id: true,
        createdAt: true,
        redFlags: { select: { kind: true } },
        checklist: { select: { steps: { where: { outcome: "FAILED" }, select: { id: true } } } },
      },
    }),
    // Everyone who did anything on the case (sent a link, reopened a step, decided...).
    tx.auditEvent.findMany({
      where: { caseId: kase.id, actorType: "STAFF", outcome: "ALLOWED", actorId: { not: null } },
      select: { actorId: true },
      distinct: ["actorId"],
    }),
  ]);
  // Fraud signals across calls (docs/decisions/031) count like red flags: this case's and those of
  // the person's related cases, unless a security reviewer dismissed them.
  const signals = await tx.fraudSignalCase.findMany({
    where: {
      caseId: { in: [kase.id, ...related.map((other) => other.id)] },
      signal: { status: { not: "DISMISSED" } },
    },
    select: { effect: true, signal: { select: { rules: true } } },
  });
  const breakGlass = (await tx.breakGlassAccount.count({ where: { userId: kase.userId } })) > 0;
  const casesInWindow = related.filter((other) => other.createdAt > since).length + 1;
  const facts: CaseFacts = {
    status: kase.status,
    // Raised mid-case (SCIM, decision 033): judged under the stricter of the two.
    riskTier: tierForCase(policy, kase.riskTier, kase.user.riskTier),
    reason: kase.reason,
    leaver: isLeaver(kase.user, now),
    steps: kase.checklist.steps.map((step) => ({ kind: step.kind, outcome: step.outcome })),
    redFlags: [...kase.redFlags, ...related.flatMap((other) => other.redFlags)].map((flag) => ({
      kind: flag.kind as RedFlagKind,
    })),
    repeatCall: Math.max(kase.repeatCall, casesInWindow),
    onHold: holds > 0,
    failedElsewhere: related.some((other) => (other.checklist?.steps.length ?? 0) > 0),
    signals: signals.map(signalFact),
    ...(breakGlass ? { breakGlass } : {}),
  };
  // Everyone who worked the case: none of them may be its second person.
  const workedByIds = [
    kase.agentId,
    ...kase.checklist.steps.map((step) => step.recordedById),
    ...kase.redFlags.map((flag) => flag.raisedById),
    ...kase.approvals.flatMap((approval) => [approval.requestedById, approval.decidedById]),
    ...staffEvents.map((event) => event.actorId),
  ].filter((id): id is string => Boolean(id));
  return { kase, facts, policy, workedByIds: [...new Set(workedByIds)] };
}

function signalFact(row: { effect: string; signal: { rules: string[] } }) {
  const rule = row.signal.rules[0] as SignalRule | undefined;
  return {
    effect: (SIGNAL_EFFECTS as readonly string[]).includes(row.effect)
      ? (row.effect as SignalEffect)
      : ("stop" as const), // an effect this code does not know fails closed
    label: (rule && SIGNAL_RULE_LABELS[rule]) ?? "a fraud signal",
  };
}

/** A staff member's scope: the permission, a team, and the case's team. Security reviewers read every team. */
function scopeRefusal(
  staff: CurrentStaff,
  permission: Permission,
  caseTeam: string | null | undefined,
): Refusal | null {
  if (!can(staff.role, permission))
    return { ok: false, code: "FORBIDDEN", message: "Your role cannot do this." };
  if (staff.role === "SECURITY") return null;
  if (!staff.team) {
    return {
      ok: false,
      code: "FORBIDDEN",
      message:
        "Your account has no team, so you cannot work cases. Ask your identity team to set your team.",
    };
  }
  if (caseTeam !== undefined && caseTeam !== staff.team) {
    return {
      ok: false,
      code: "FORBIDDEN",
      message: `This case belongs to ${caseTeam ?? "no team"}, not ${staff.team}. Ask them, or have it handed over to your team.`,
    };
  }
  return null;
}

export type CaseUnit = {
  tx: Tx;
  kase: LoadedCase;
  facts: CaseFacts;
  policy: RecoveryPolicy;
  workedByIds: string[];
  actor: AuditActor;
  now: Date;
  request?: RequestContext;
  /** Audits the refusal in this transaction and hands it back to return. */
  refuse: (refusal: Refusal) => Promise<Refusal>;
};

/**
 * Runs `work` on one case under the locks (user → case → `rows`), with its facts, its policy and
 * the actor checked. A refusal (from here or from `work`) is audited and thrown as DomainError.
 */
export async function runCaseWork<T>(
  input: {
    caseId: string;
    actor: CaseActor;
    attempted: string;
    rows?: readonly LockedRow[];
    refusalAction?: RefusalAction;
    request?: RequestContext;
    now?: Date;
    /** Set only by paths that do not advance the recovery; every other staff path is gated. */
    safeAction?: SafeAction;
  },
  work: (unit: CaseUnit) => Promise<Outcome<T>>,
): Promise<T> {
  const actor = input.actor.kind === "staff" ? staffActor(input.actor.staff) : input.actor.audit;
  const action = input.refusalAction ?? "case.action_refused";
  const result = await auditedTransaction(db, async (tx): Promise<Outcome<T>> => {
    const now = input.now ?? new Date();
    const refuseWith = (refusal: Refusal, caseId?: string, subjectUserId?: string) =>
      recordRefusal(tx, {
        action,
        actor,
        attempted: input.attempted,
        refusal,
        caseId,
        subjectUserId,
        request: input.request,
      });
    const head = await tx.recoveryCase.findUnique({
      where: { id: input.caseId },
      select: { userId: true },
    });
    if (!head)
      return refuseWith({ ok: false, code: "NOT_FOUND", message: "That case does not exist." });
    if (input.actor.kind === "staff") {
      // Permission and having a team are checked before anything is locked.
      const early = scopeRefusal(input.actor.staff, input.actor.permission, undefined);
      if (early) return refuseWith(early, input.caseId, head.userId);
    }
    await lockRows(tx, { userId: head.userId, caseId: input.caseId, rows: input.rows });
    const loaded = await loadCase(tx, input.caseId, now);
    if (!loaded)
      return refuseWith({ ok: false, code: "NOT_FOUND", message: "That case does not exist." });
    const { kase, facts, workedByIds } = loaded;
    const refuse = (refusal: Refusal) => refuseWith(refusal, kase.id, kase.userId);
    if (input.actor.kind === "staff") {
      const scope = scopeRefusal(input.actor.staff, input.actor.permission, kase.team);
      if (scope) return refuse(scope);
      if (!input.safeAction) {
        // The tier the case opened under, and the person's tier now (raised mid-case): either gates.
        for (const tier of new Set([kase.riskTier, kase.user.riskTier])) {
          const uncertified = await certificationRefusal(tx, {
            staffId: input.actor.staff.id,
            tier,
            now,
          });
          if (uncertified) return refuse(uncertified);
        }
      }
    }
    return work({
      tx,
      kase,
      facts,
      policy: loaded.policy,
      workedByIds,
      actor,
      now,
      request: input.request,
      refuse,
    });
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return result.value;
}

export type UserUnit = {
  tx: Tx;
  userId: string;
  actor: AuditActor;
  now: Date;
  request?: RequestContext;
  /** Locks one of the user's cases (after the user, as the order says) and loads it. */
  lockCase: (
    caseId: string,
    rows?: readonly LockedRow[],
  ) => Promise<{
    kase: LoadedCase;
    facts: CaseFacts;
    policy: RecoveryPolicy;
    workedByIds: string[];
  } | null>;
  /** Locks rows of a path about the person and no case (a "this wasn't me" link about a passkey), after the user. */
  lockRows: (rows: readonly LockedRow[]) => Promise<void>;
  refuse: (refusal: Refusal, caseId?: string) => Promise<Refusal>;
};

/**
 * Runs `work` under the user's row lock, for paths that are about a person rather than one case:
 * opening a case, revocation, redeeming a pass, registering or signing in with a passkey,
 * confirming it's you, "this wasn't me" about an added passkey, an employment change. A staff
 * actor is checked for permission and for having a team.
 */
export async function runUserWork<T>(
  input: {
    userId: string;
    actor: CaseActor;
    attempted: string;
    refusalAction?: RefusalAction;
    request?: RequestContext;
    now?: Date;
    /** Refuse unknown users with this (public paths hide whether a user exists). */
    unknownUser?: Refusal;
    /** Set only by paths that do not advance the recovery; every other staff path is gated. */
    safeAction?: SafeAction;
  },
  work: (unit: UserUnit) => Promise<Outcome<T>>,
): Promise<T> {
  const actor = input.actor.kind === "staff" ? staffActor(input.actor.staff) : input.actor.audit;
  const action = input.refusalAction ?? "case.action_refused";
  const result = await auditedTransaction(db, async (tx): Promise<Outcome<T>> => {
    const now = input.now ?? new Date();
    const refuse = (
      refusal: Refusal,
      caseId?: string,
      subjectUserId: string | undefined = input.userId,
    ) =>
      recordRefusal(tx, {
        action,
        actor,
        attempted: input.attempted,
        refusal,
        caseId,
        subjectUserId,
        request: input.request,
      });
    if (input.actor.kind === "staff") {
      const early = scopeRefusal(input.actor.staff, input.actor.permission, undefined);
      if (early) return refuse(early);
    }
    const exists = await lockRows(tx, { userId: input.userId });
    if (!exists)
      return refuse(
        input.unknownUser ?? { ok: false, code: "NOT_FOUND", message: "That user does not exist." },
        undefined,
        undefined,
      );
    if (input.actor.kind === "staff" && !input.safeAction) {
      const { riskTier } = await tx.workforceUser.findUniqueOrThrow({
        where: { id: input.userId },
        select: { riskTier: true },
      });
      const uncertified = await certificationRefusal(tx, {
        staffId: input.actor.staff.id,
        tier: riskTier,
        now,
      });
      if (uncertified) return refuse(uncertified);
    }
    const lockCase: UserUnit["lockCase"] = async (caseId, rows) => {
      await lockAfterUser(tx, caseId, rows, input.userId);
      const loaded = await loadCase(tx, caseId, now);
      if (!loaded || loaded.kase.userId !== input.userId) return null;
      return loaded;
    };
    return work({
      tx,
      userId: input.userId,
      actor,
      now,
      request: input.request,
      lockCase,
      lockRows: (rows) => lockListed(tx, rows),
      refuse: (refusal, caseId) => refuse(refusal, caseId),
    });
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return result.value;
}

/** The staff scope check for pages and queries that list cases (same rule as the unit of work). */
export function teamScope(staff: CurrentStaff): Prisma.RecoveryCaseWhereInput {
  if (staff.role === "SECURITY") return {};
  // No team, no cases: a condition nothing matches (the page says why).
  return staff.team ? { team: staff.team } : { id: { in: [] } };
}
