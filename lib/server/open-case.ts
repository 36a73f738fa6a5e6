import "server-only";
import { caseOpenedNotice, securityAlert } from "@/lib/domain/notifications";
import { decideOpenCase } from "@/lib/domain/recovery-decisions";
import {
  ACTIVE_POLICY,
  CASE_REASON_LABELS,
  scriptFor,
  type CaseChannel,
  type CaseReason,
} from "@/lib/domain/recovery-policy";
import { maskContact, normaliseContact, type ContactKind } from "@/lib/domain/fraud-signals";
import { parseTicketReference } from "@/lib/domain/ticket-reference";
import { isLeaver, type RiskTier } from "@/lib/domain/workforce";
import { directoryPhoneRegions, publicUrl } from "@/lib/env";
import { recordAudit, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import { applySignalEffectsAfterCommit } from "./signals/apply-signal-effects";
import { evaluateSignals } from "./signals/evaluate-signals";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Opens a recovery case for a caller: the policy picks the script for the user's tier and the
 * reason, and the case belongs to the agent's team. The user row is locked so that concurrent
 * calls count each other for the repeat-call throttle; a leaver, a user on hold after a denial,
 * or a throttled user is refused (and security alerted when throttled).
 * The user is told at every address of record, with a "this wasn't me" link.
 */
export async function openCase(input: {
  actor: CurrentStaff;
  userId: string;
  reason: CaseReason;
  channel: CaseChannel;
  callerClaim: string;
  /**
   * The person's open cases the agent was shown and chose to open another case beside (the
   * user page's warning). Given, the case opens only if those are exactly the open cases now:
   * a case another agent opened meanwhile is refused with its name, so no agent opens a second
   * case without being told. Left out by tools and tests that do not show a page.
   */
  acknowledgedOpenCases?: readonly string[];
  /**
   * The number the call came from, and a number or address the caller offered, as the agent
   * heard them: never used to reach anyone, kept so one number calling for several people is
   * seen (fraud signals across calls, docs/decisions/031).
   */
  callerId?: string;
  offeredContact?: string;
  /**
   * The desk's ticket for this call (an ITSM's link into the console, /cases/new?ticket=…, fills
   * it in): normalised by lib/domain/ticket-reference.ts, audited as case.ticket_set. Empty: none.
   */
  ticketRef?: string;
  request?: RequestContext;
  now?: Date;
}): Promise<{ caseId: string }> {
  const policy = ACTIVE_POLICY;
  let otherCases: string[] = [];
  const opened = await runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "open",
      request: input.request,
      now: input.now,
    },
    async ({ tx, now, actor, refuse }) => {
      const heard = contactsHeard(input);
      if (!heard.ok) return refuse(heard);
      const ticket = input.ticketRef?.trim() ? parseTicketReference(input.ticketRef) : null;
      if (ticket && !ticket.ok)
        return refuse({ ok: false, code: "INVALID_INPUT", message: ticket.message });
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: input.userId },
        select: {
          id: true,
          name: true,
          riskTier: true,
          status: true,
          leavingOn: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      const since = new Date(now.getTime() - policy.repeatCalls.windowHours * 60 * 60 * 1000);
      const casesInWindow = await tx.recoveryCase.count({
        where: { userId: user.id, createdAt: { gt: since } },
      });
      const onHold =
        (await tx.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })) > 0;
      const decision = decideOpenCase({
        policy,
        leaver: isLeaver(user, now),
        onHold,
        casesInWindow,
      });
      if (!decision.ok) {
        if (decision.code === "THROTTLED") {
          const security = await tx.staff.findMany({
            where: { role: "SECURITY", active: true },
            select: { email: true },
          });
          const latest = await tx.recoveryCase.findFirst({
            where: { userId: user.id, createdAt: { gt: since } },
            orderBy: { createdAt: "desc" },
            select: { id: true },
          });
          const alert = securityAlert({
            summary: `repeat recovery calls for ${user.name}`,
            detail: `${input.actor.name} tried to open recovery call ${casesInWindow + 1} in ${policy.repeatCalls.windowHours} hours for ${user.name}. It was blocked.`,
            baseUrl: publicUrl,
            caseId: latest?.id,
            caseLabel: `The latest case of the last ${policy.repeatCalls.windowHours} hours`,
            userId: user.id,
          });
          for (const { email } of security)
            await enqueueMessage(tx, { to: email, message: alert, subjectUserId: user.id });
        }
        return refuse(decision);
      }
      if (input.acknowledgedOpenCases) {
        const open = await tx.recoveryCase.findMany({
          where: { userId: user.id, status: { notIn: ["CLOSED", "REVOKED"] } },
          select: { id: true, team: true, owner: { select: { name: true } } },
        });
        const unseen = open.filter((kase) => !input.acknowledgedOpenCases!.includes(kase.id));
        if (unseen.length > 0)
          return refuse({
            ok: false,
            code: "CONFLICT",
            message: `${user.name} already has an open case (${unseen
              .map((kase) => `${kase.team ?? "no team"}, ${kase.owner?.name ?? "nobody"} has it`)
              .join(
                "; ",
              )}). Read it first: continue that case, or confirm that this call needs a case of its own.`,
          });
      }
      const script = scriptFor(policy, user.riskTier, input.reason);
      const kase = await tx.recoveryCase.create({
        data: {
          userId: user.id,
          agentId: input.actor.id,
          ownerId: input.actor.id,
          team: input.actor.team,
          reason: input.reason,
          channel: input.channel,
          callerClaim: input.callerClaim,
          riskTier: user.riskTier,
          policyVersion: policy.version,
          repeatCall: decision.repeatCall,
          needsApproval: decision.needsApproval,
          ticketRef: ticket?.ok ? ticket.value : null,
          // The decision's time: the windows the desk's rules count calls in read this.
          createdAt: now,
          checklist: {
            create: {
              scriptKey: script.key,
              policyVersion: policy.version,
              steps: {
                create: script.steps.map((step, position) => ({ position, kind: step.kind })),
              },
            },
          },
        },
        select: { id: true },
      });
      await recordAudit(tx, {
        action: "case.opened",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: user.id,
        target: { type: "case", id: kase.id },
        data: {
          reason: input.reason,
          channel: input.channel,
          scriptKey: script.key,
          policyVersion: policy.version,
          repeatCall: decision.repeatCall,
          needsApproval: decision.needsApproval,
        },
        request: input.request,
      });
      if (ticket?.ok)
        await recordAudit(tx, {
          action: "case.ticket_set",
          outcome: "ALLOWED",
          actor,
          caseId: kase.id,
          subjectUserId: user.id,
          target: { type: "case", id: kase.id },
          data: { from: null, to: ticket.value },
          request: input.request,
        });
      for (const { address } of user.emails) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: user.id });
        const message = caseOpenedNotice({
          name: user.name,
          reason: CASE_REASON_LABELS[input.reason],
          reportUrl,
        });
        await enqueueMessage(tx, { to: address, message, subjectUserId: user.id, caseId: kase.id });
      }
      for (const contact of heard.contacts) {
        await tx.caseContact.create({
          data: { caseId: kase.id, ...contact, recordedById: input.actor.id, createdAt: now },
        });
        await recordAudit(tx, {
          action: "case.contact_recorded",
          outcome: "ALLOWED",
          actor,
          caseId: kase.id,
          subjectUserId: user.id,
          target: { type: "case", id: kase.id },
          data: { kind: contact.kind, contact: maskContact(contact.normalized), when: "opening" },
          request: input.request,
        });
      }
      const signals = await evaluateSignals(tx, {
        caseId: kase.id,
        trigger: { kind: "opened" },
        now,
        actor,
        request: input.request,
      });
      otherCases = signals.otherCases;
      return { ok: true, value: { caseId: kase.id } };
    },
  );
  // Other people's cases a signal named: each under its own person's lock, after this commit.
  await applySignalEffectsAfterCommit(otherCases);
  return opened;
}

type Heard = { kind: ContactKind; value: string; normalized: string };

/** The caller ID (a phone number) and the offered number or address, normalised, or why not. */
function contactsHeard(input: {
  callerId?: string;
  offeredContact?: string;
}): { ok: true; contacts: Heard[] } | { ok: false; code: "INVALID_INPUT"; message: string } {
  const contacts: Heard[] = [];
  const callerId = input.callerId?.trim();
  if (callerId) {
    const read = normaliseContact(callerId, directoryPhoneRegions);
    if (!read || read.kind !== "phone")
      return {
        ok: false,
        code: "INVALID_INPUT",
        message: "The caller ID is not a phone number. Type it as shown, e.g. +44 20 7946 0958.",
      };
    contacts.push({
      kind: "CALLER_ID",
      value: callerId.slice(0, 100),
      normalized: read.normalized,
    });
  }
  const offered = input.offeredContact?.trim();
  if (offered) {
    const read = normaliseContact(offered, directoryPhoneRegions);
    if (!read)
      return {
        ok: false,
        code: "INVALID_INPUT",
        message:
          "The number or address the caller offered is neither a phone number nor an email address.",
      };
    contacts.push({
      kind: read.kind === "phone" ? "OFFERED_PHONE" : "OFFERED_EMAIL",
      value: offered.slice(0, 320),
      normalized: read.normalized,
    });
  }
  return { ok: true, contacts };
}

// ---------------------------------------------------------------------------------------------
// Recovery codes (issue 15, part B; docs/decisions/037).

/**
 * Opens the self-service case a saved recovery code makes, inside the caller's unit of work
 * (under the user's lock, after `decideOpenCase` allowed it): no agent, no team, the reason
 * LOST_DEVICE and an empty checklist ("recovery-code": the code is its verification). Audited as
 * every opening is (`case.opened`, channel SELF_SERVICE). The only other way a case begins.
 */
export async function openSelfServiceCase(
  tx: Tx,
  input: {
    userId: string;
    riskTier: RiskTier;
    repeatCall: number;
    needsApproval: boolean;
    now: Date;
    request?: RequestContext;
  },
): Promise<{ caseId: string }> {
  const policy = ACTIVE_POLICY;
  const kase = await tx.recoveryCase.create({
    data: {
      userId: input.userId,
      agentId: null,
      ownerId: null,
      team: null,
      reason: "LOST_DEVICE",
      channel: "SELF_SERVICE",
      callerClaim: "Used a saved recovery code",
      riskTier: input.riskTier,
      policyVersion: policy.version,
      repeatCall: input.repeatCall,
      needsApproval: input.needsApproval,
      createdAt: input.now,
      checklist: {
        create: {
          scriptKey: "recovery-code",
          policyVersion: policy.version,
          completedAt: input.now,
        },
      },
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    action: "case.opened",
    outcome: "ALLOWED",
    actor: { type: "ANONYMOUS" },
    caseId: kase.id,
    subjectUserId: input.userId,
    target: { type: "case", id: kase.id },
    data: {
      reason: "LOST_DEVICE",
      channel: "SELF_SERVICE",
      scriptKey: "recovery-code",
      policyVersion: policy.version,
      repeatCall: input.repeatCall,
      needsApproval: input.needsApproval,
    },
    request: input.request,
  });
  return { caseId: kase.id };
}
