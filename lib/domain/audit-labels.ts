/**
 * The audit trail in words, for people (the reviewer's /audit page): every action of the closed
 * list (audit-actions.ts) has a plain-English label and a way to turn its payload into readable
 * lines ("Outcome: passed"). The table is typed over the whole vocabulary, so an action added
 * there without words here fails the type check and the unit test (audit-labels.test.ts).
 *
 * Stored rows are read as they are: a payload that no longer parses (an older shape, a planted
 * row) or an action outside the list still gets lines, from its fields as they stand. Every value
 * shown has its control and invisible characters replaced (plain-text.ts), so a planted row
 * cannot reorder what a reviewer reads.
 *
 * Also here: which actions are reads of the trail (hidden by default on the page,
 * docs/decisions/026) and the words for refusal codes.
 */
import type { z } from "zod";
import { AUDIT_ACTIONS, type AuditAction } from "./audit-actions";
import { CASE_REASON_LABELS, type RecordedCaseChannel, type RedFlagKind } from "./case-vocabulary";
import type { DomainErrorCode } from "./errors";
import { replaceForbiddenCharacters } from "./plain-text";
import {
  CONTACT_KIND_LABELS,
  SIGNAL_EFFECT_LABELS,
  SIGNAL_RULE_LABELS,
  type SignalRule,
} from "./fraud-signals";
import { REVOCATION_REASON_LABELS } from "./revocation";
import { ROLE_LABELS } from "./roles";
import { ACCOUNT_CHANGE_LABELS } from "./account-changes";
import type { StepKind } from "./step-kinds";

/** One readable line of an event: "Outcome: passed". `href` when the value names a page. */
export type AuditLine = { label: string; value: string; href?: string };

type Payload<A extends AuditAction> = z.output<(typeof AUDIT_ACTIONS)[A]>;
type Words<A extends AuditAction> = {
  /** What happened, as a reviewer would say it: "Checklist step recorded". */
  label: string;
  lines: (data: Payload<A>) => (AuditLine | null | false | undefined)[];
};

// ---------------------------------------------------------------------------------------------
// The words of the values payloads carry.

const STEP_LABELS: Record<StepKind, string> = {
  CALLBACK: "Callback to the phone of record",
  MANAGER_CONFIRMATION: "Manager confirmation",
  PASSKEY_PROOF: "Sign-in with a remaining passkey",
  ID_DOCUMENT: "Photo ID on video",
  EMPLOYEE_RECORD: "Employee record details",
};
const CHANNEL_LABELS: Record<RecordedCaseChannel, string> = {
  PHONE: "Phone",
  VIDEO: "Video",
  CHAT: "Chat",
  WALK_IN: "Walk-in",
  SELF_SERVICE: "Self-service (recovery code)",
};
const RED_FLAG_LABELS: Record<RedFlagKind, string> = {
  PRESSURE: "Pressure or urgency",
  REFUSED_CALLBACK: "Refuses the callback",
  NEW_CONTACT_REQUEST: "Asks to use a new number or address",
  DETAILS_MISMATCH: "Details don't match the record",
  OTHER: "Something else feels wrong",
};
const REFUSAL_LABELS: Record<DomainErrorCode, string> = {
  UNAUTHENTICATED: "not signed in",
  FORBIDDEN: "not allowed for this role or team",
  NOT_FOUND: "not found",
  INVALID_INPUT: "invalid input",
  CONFLICT: "conflicts with another change",
  SIGN_IN_REFUSED: "sign-in refused",
  SEQUENCE: "out of order for the case",
  VERIFICATION_INCOMPLETE: "verification incomplete",
  RED_FLAG: "stopped by a red flag",
  LEAVER: "the person is a leaver",
  THROTTLED: "too many recovery calls",
  STOPPED: "the case was stopped",
  APPROVAL_REQUIRED: "needs a supervisor's approval",
  ON_HOLD: "recovery on hold",
  RATE_LIMITED: "too many tries",
  STEP_UP_REQUIRED: "needs a fresh confirmation (step-up)",
  NOT_CERTIFIED: "needs a current practice certification",
};
/** The search fields of the audit page, as recorded in audit.viewed and audit.exported. */
const FILTER_LABELS: Record<string, string> = {
  action: "action",
  outcome: "outcome",
  actor: "actor",
  userId: "user",
  caseId: "case",
  from: "from",
  to: "to",
};

/** Text as stored, made safe to show: control and invisible characters become U+FFFD, line breaks stay. */
export function shownText(text: string): string {
  return text.split("\n").map(replaceForbiddenCharacters).join("\n");
}

const yesNo = (value: boolean) => (value ? "yes" : "no");
const lower = (code: string) => code.toLowerCase().replaceAll("_", " ");
const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
const line = (label: string, value: string | number): AuditLine => ({
  label,
  value: typeof value === "number" ? value.toLocaleString("en") : shownText(value),
});
/** A line only when there is something to say (a note left empty says nothing). */
const textLine = (label: string, value: string | null | undefined) =>
  value ? line(label, value) : null;
const step = (kind: StepKind) => line("Step", STEP_LABELS[kind] ?? lower(kind));
const outcome = (value: string) => line("Outcome", lower(value));
const STAFF_PASSKEY_VIA = {
  "step-up": "a fresh confirmation with another staff passkey",
  "fresh sign-in": "a fresh sign-in",
};
const via = (value: string) =>
  (
    ({
      tap: "a temporary access pass",
      link: "an enrolment link",
      passkey: "another passkey",
      code: "a recovery code",
    }) as Record<string, string>
  )[value] ?? value;

type Voided = {
  passes: number;
  passSessions: number;
  codeSessions?: number;
  enrolmentLinks: number;
  stepLinks: number;
  approvals: number;
  challenges: number;
};
/** "1 pass, 2 challenges", or "nothing". */
export function voidedSummary(voided: Voided): string {
  const parts = [
    voided.passes && plural(voided.passes, "pass", "passes"),
    voided.passSessions && plural(voided.passSessions, "pass session"),
    voided.codeSessions && plural(voided.codeSessions, "recovery code session"),
    voided.enrolmentLinks && plural(voided.enrolmentLinks, "enrolment link"),
    voided.stepLinks && plural(voided.stepLinks, "step link"),
    voided.approvals && plural(voided.approvals, "approval"),
    voided.challenges && plural(voided.challenges, "passkey challenge"),
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : "nothing";
}
const voidedLine = (voided: Voided | undefined) =>
  voided ? line("Voided", voidedSummary(voided)) : null;

/** The filters of a read or an export, in words: "action: Checklist step recorded; from: 2026-11-01". */
export function filtersSummary(filters: Record<string, string>): string {
  const parts = Object.entries(filters).map(([key, value]) => {
    const shown =
      key === "action"
        ? auditActionLabel(value)
        : key === "outcome"
          ? lower(value)
          : key === "userId" || key === "caseId"
            ? `${value.slice(0, 8)}…`
            : value;
    return `${FILTER_LABELS[key] ?? key}: ${shown}`;
  });
  return parts.length > 0 ? shownText(parts.join("; ")) : "none (the whole trail)";
}

// ---------------------------------------------------------------------------------------------
// Every action.

export const AUDIT_WORDS: { [A in AuditAction]: Words<A> } = {
  "staff.signed_in": {
    label: "Staff member signed in",
    lines: (d) => [
      line("Method", d.method === "oidc" ? "single sign-on" : "demo sign-in"),
      d.phishingResistant !== undefined &&
        line("Phishing-resistant sign-in", yesNo(d.phishingResistant)),
      d.amr && d.amr.length > 0 && line("Authentication methods (amr)", d.amr.join(", ")),
      textLine("Assurance (acr)", d.acr),
    ],
  },
  "staff.sign_in_refused": {
    label: "Staff sign-in refused",
    lines: (d) => [
      line("Method", d.method === "oidc" ? "single sign-on" : "demo sign-in"),
      textLine("Email", d.email),
      textLine("Why", d.detail),
    ],
  },
  "staff.signed_out": { label: "Staff member signed out", lines: () => [] },
  "staff.provisioned": {
    label: "Staff member created at first sign-in",
    lines: (d) => [
      line("Role", ROLE_LABELS[d.role]),
      line("Identity provider", d.provider),
      line("Team", d.team ?? "none"),
    ],
  },
  "staff.team_changed": {
    label: "Staff member's team changed",
    lines: (d) => [line("From", d.from ?? "no team"), line("To", d.to ?? "no team")],
  },
  "staff.role_changed": {
    label: "Staff member's role changed",
    lines: (d) => [line("From", ROLE_LABELS[d.from]), line("To", ROLE_LABELS[d.to])],
  },
  "access.denied": {
    label: "Access denied",
    lines: (d) => [line("Page or action", d.path), line("Needed permission", d.permission)],
  },
  "case.opened": {
    label: "Recovery case opened",
    lines: (d) => [
      line("Reason", CASE_REASON_LABELS[d.reason]),
      line("Channel", CHANNEL_LABELS[d.channel]),
      line("Script", `${d.scriptKey}, policy v${d.policyVersion}`),
      d.repeatCall > 1 && line("Repeat call", `call ${d.repeatCall} in the policy's window`),
      line("Needs a supervisor's approval", yesNo(d.needsApproval)),
    ],
  },
  "case.action_refused": {
    label: "Case action refused",
    lines: (d) => [line("Tried to", d.attempted), textLine("Why", d.detail)],
  },
  "step.recorded": {
    label: "Checklist step recorded",
    lines: (d) => [
      step(d.step),
      outcome(d.outcome),
      line("Checklist complete", yesNo(d.complete)),
      textLine("Note", d.note),
      voidedLine(d.voided),
    ],
  },
  "step.link_sent": {
    label: "Step link sent",
    lines: (d) => [step(d.step), line("Sent to", d.sentTo)],
  },
  "step.answered": {
    label: "Step link answered",
    lines: (d) => [
      step(d.step),
      outcome(d.outcome),
      line("Checklist complete", yesNo(d.complete)),
      d.hold !== undefined && line("Recovery put on hold", yesNo(d.hold)),
      voidedLine(d.voided),
    ],
  },
  "step.corrected": {
    label: "Checklist step reopened by a supervisor",
    lines: (d) => [
      step(d.step),
      line("Was", lower(d.from)),
      textLine("Note", d.note),
      d.clearedHolds > 0 && line("Holds cleared", d.clearedHolds),
    ],
  },
  "step.link_refused": {
    label: "Step link refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "case.red_flag_raised": {
    label: "Red flag raised",
    lines: (d) => [
      line("Flag", RED_FLAG_LABELS[d.flag]),
      line("Effect", d.effect === "stop" ? "stops the case" : "escalates to a supervisor"),
      textLine("Note", d.note),
      voidedLine(d.voided),
    ],
  },
  "case.transferred": {
    label: "Case handed over to another team",
    lines: (d) => [line("From", d.from ?? "no team"), line("To", d.to), textLine("Note", d.note)],
  },
  "case.assigned": {
    label: "Case assigned",
    lines: (d) => [line("To", d.toName ?? (d.to ? d.to : "nobody")), textLine("Note", d.note)],
  },
  "case.note_added": {
    label: "Call note added",
    lines: (d) => [line("Length", `${d.length} characters`), line("SHA-256", d.sha256)],
  },
  "case.ticket_set": {
    label: "Ticket reference set",
    lines: (d) => [line("From", d.from ?? "none"), line("To", d.to)],
  },
  "case.hold_cleared": {
    label: "Recovery hold cleared",
    lines: (d) => [line("Hold was for", d.holdReason), textLine("Note", d.note)],
  },
  "workforce.status_changed": {
    label: "Employment status changed",
    lines: (d) => [
      line("From", lower(d.from)),
      line("To", lower(d.to)),
      line("Sessions ended", d.endedSessions),
      line("Voided", voidedSummary(d.voided)),
      d.closedCases > 0 && line("Cases closed", d.closedCases),
    ],
  },
  "tap.issued": {
    label: "Temporary access pass issued",
    lines: (d) => [
      line("Sent to", d.sentTo),
      line("Lifetime", plural(d.lifetimeMinutes, "minute")),
      line("Use", d.oneTime ? "one-time" : "several times within its lifetime"),
      line("Wrong tries allowed", d.maxFailedAttempts),
      d.replaced > 0 && line("Replaced earlier passes", d.replaced),
      d.endedSessions !== undefined &&
        d.endedSessions > 0 &&
        line("Sessions ended", d.endedSessions),
    ],
  },
  "tap.redeemed": {
    label: "Temporary access pass redeemed",
    lines: (d) => [line("Use", d.oneTime ? "one-time (now used)" : "several times")],
  },
  "tap.redeem_refused": {
    label: "Pass redemption refused",
    lines: (d) => [
      textLine("Why", d.detail),
      d.attemptsLeft !== undefined && line("Tries left", d.attemptsLeft),
    ],
  },
  "tap.guessed": {
    label: "Pass guessed at too often",
    lines: (d) => [
      line("Wrong tries", d.wrongTries),
      line("Pass voided", yesNo(d.voided)),
      textLine("Next try allowed at", d.nextTryAt),
    ],
  },
  "passkey.enrolled": {
    label: "Passkey enrolled",
    lines: (d) => [
      line("Model", d.model),
      line("Through", via(d.via)),
      line("Synced (backed up)", yesNo(d.backedUp)),
      d.transports.length > 0 && line("Transports", d.transports.join(", ")),
      d.revokedPasskeys !== undefined &&
        d.revokedPasskeys > 0 &&
        line("Passkeys revoked with it", d.revokedPasskeys),
    ],
  },
  "passkey.enrol_refused": {
    label: "Passkey enrolment refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "case.repudiated": {
    label: "Recovery reported as “not me”",
    lines: (d) => [
      line("Passes voided", d.voidedPasses),
      line("Passkeys revoked", d.revokedPasskeys),
      line("Sessions ended", d.endedSessions),
      line("Case now", lower(d.caseStatus)),
      voidedLine(d.voided),
    ],
  },
  "case.repudiation_refused": {
    label: "“Not me” link refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "passkey.repudiated": {
    label: "Added passkey reported as “not me”",
    lines: (d) => [
      line("Model", d.model),
      line("Passkeys revoked", d.revokedPasskeys),
      line("Sessions ended", d.endedSessions),
      line("Voided", voidedSummary(d.voided)),
    ],
  },
  "passkey.revoked": {
    label: "Passkeys revoked",
    lines: (d) => [
      line("Scope", d.scope === "ALL" ? "all of the person's passkeys" : "one passkey"),
      line(
        "Reason",
        d.reason === "RETURNED" ? "Security key returned" : REVOCATION_REASON_LABELS[d.reason],
      ),
      line("Passkeys revoked", d.revokedPasskeys),
      line("Sessions ended", d.endedSessions),
      (d.voidedPasses > 0 || d.voidedLinks > 0 || d.voidedApprovals > 0) &&
        line(
          "Voided",
          [
            d.voidedPasses && plural(d.voidedPasses, "pass", "passes"),
            d.voidedLinks && plural(d.voidedLinks, "link"),
            d.voidedApprovals && plural(d.voidedApprovals, "approval"),
          ]
            .filter(Boolean)
            .join(", "),
        ),
    ],
  },
  "workforce.signed_in": {
    label: "User signed in with a passkey",
    lines: (d) => [line("Passkey model", d.model)],
  },
  "workforce.sign_in_refused": {
    label: "User's passkey sign-in refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "workforce.reverified": {
    label: "User confirmed it's them",
    lines: (d) => [line("Passkey model", d.model)],
  },
  "workforce.reverify_refused": {
    label: "User's “Confirm it's you” refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "reenrolment.requested": {
    label: "Re-enrolment requested",
    lines: (d) => [
      line("Needs a supervisor's approval", yesNo(d.needsApproval)),
      textLine("Because", d.needReason),
      line("Passkeys to revoke", d.revokePasskeys),
      d.supervisorsTold && line("Mailed to", plural(d.supervisorsTold.length, "supervisor")),
    ],
  },
  "approval.approved": {
    label: "Re-enrolment approved",
    lines: (d) => [textLine("Reason", d.reason)],
  },
  "approval.denied": {
    label: "Re-enrolment denied",
    lines: (d) => [textLine("Reason", d.reason), voidedLine(d.voided)],
  },
  "approval.lapsed": {
    label: "Approval could not be used",
    lines: (d) => [
      line(
        "Why",
        d.why === "expired" ? "it expired" : "what it approved changed after the approval",
      ),
      d.requesterTold !== undefined && line("Agent who asked mailed", yesNo(d.requesterTold)),
    ],
  },
  "reenrolment.link_sent": {
    label: "Enrolment link sent",
    lines: (d) => [
      line("Sent to", d.sentTo),
      line("Valid for", plural(d.expiresMinutes, "minute")),
      d.revokePasskeys > 0 && line("Passkeys it revokes", d.revokePasskeys),
    ],
  },
  "case.closed": {
    label: "Recovery case closed",
    lines: (d) => [
      textLine("Reason", d.closeReason),
      d.voidedPasses > 0 && line("Passes voided", d.voidedPasses),
      d.voidedLinks > 0 && line("Links voided", d.voidedLinks),
      voidedLine(d.voided),
      d.userTold !== undefined && line("User told", yesNo(d.userTold)),
    ],
  },
  "audit.viewed": {
    label: "Audit trail viewed",
    lines: (d) => [
      line("Filters", filtersSummary(d.filters)),
      d.verified && line("Integrity checked", "yes"),
    ],
  },
  "audit.exported": {
    label: "Audit trail exported",
    lines: (d) => [
      line(
        "Format",
        { jsonl: "JSON Lines", csv: "CSV", ocsf: "OCSF (for a SIEM)" }[d.format] ?? d.format,
      ),
      line("Filters", filtersSummary(d.filters)),
    ],
  },
  "staff.step_up_required": {
    label: "High-risk act refused: confirmation needed",
    lines: (d) => [
      line("Tried to", d.attempted),
      line("Page", d.path),
      line(
        "Offered",
        d.next === "confirm" ? "confirm it's them with a staff passkey" : "set up a staff passkey",
      ),
      line("Last confirmed", d.lastVerifiedAt ?? "never"),
    ],
  },
  "staff.stepped_up": {
    label: "Staff member confirmed it's them",
    lines: (d) => [line("Staff passkey", `${d.passkeyId.slice(0, 8)}…`)],
  },
  "staff.step_up_refused": {
    label: "Staff confirmation refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "staff.passkey_added": {
    label: "Staff passkey added",
    lines: (d) => [
      line("Allowed by", STAFF_PASSKEY_VIA[d.via]),
      line("Synced (backed up)", yesNo(d.backedUp)),
      d.transports.length > 0 && line("Transports", d.transports.join(", ")),
      line("Authenticator (AAGUID)", d.aaguid),
    ],
  },
  "staff.passkey_add_refused": {
    label: "Staff passkey refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "staff.passkey_removed": {
    label: "Staff passkey removed",
    lines: (d) => [line("Allowed by", STAFF_PASSKEY_VIA[d.via])],
  },
  "certification.granted": {
    label: "Practice certification granted",
    lines: (d) => [
      line("Valid until", d.expiresAt.slice(0, 10)),
      line(
        "Earned by",
        d.basis === "demo"
          ? "the demo organisation"
          : plural(d.runIds.length, "passed practice call"),
      ),
    ],
  },
  "certification.reminder_sent": {
    label: "Certification expiry reminder sent",
    lines: (d) => [line("Expires", d.expiresAt.slice(0, 10)), line("Days left", d.daysLeft)],
  },
  "certification.expired": {
    label: "Practice certification expired",
    lines: (d) => [line("Expired", d.expiresAt.slice(0, 10))],
  },
  "scenario.created": {
    label: "Practice scenario added",
    lines: (d) => [line("Scenario", d.key), line("Version", d.version), textLine("Note", d.note)],
  },
  "scenario.save_refused": {
    label: "Practice scenario not saved",
    lines: (d) => [
      line("Scenario", d.key),
      line("Edited from version", d.baseVersion),
      textLine("Why", d.detail),
    ],
  },
  "scenario.revised": {
    label: "Practice scenario revised",
    lines: (d) => [line("Scenario", d.key), line("Version", d.version), textLine("Note", d.note)],
  },
  "webhook.endpoint_added": {
    label: "Ticket webhook endpoint added",
    lines: (d) => [textLine("Name", d.name), textLine("Address", d.url)],
  },
  "webhook.endpoint_disabled": {
    label: "Ticket webhook endpoint disabled",
    lines: (d) => [textLine("Name", d.name)],
  },
  "webhook.secret_rotated": {
    label: "Ticket webhook secret rotated",
    lines: (d) => [
      textLine("Name", d.name),
      textLine(
        "Old secret",
        d.overlapUntil ? `still signs until ${d.overlapUntil}` : "stopped at once",
      ),
    ],
  },
  "webhook.resend_requested": {
    label: "Ticket webhook event to be sent again",
    lines: (d) => [
      textLine("Name", d.name),
      textLine("Event", d.eventType),
      line("Position", d.position),
    ],
  },
  "webhook.endpoint_refused": {
    label: "Ticket webhook change refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "system.demo_seeded": {
    label: "Demo organisation loaded",
    lines: (d) => [line("Workforce users", d.workforceUsers), line("Staff", d.staff)],
  },
  "audit.format_changed": {
    label: "Audit log format upgraded",
    lines: (d) => [
      line("From format", `v${d.from} (hash chain)`),
      line("To format", `v${d.to} (signed entries in a Merkle tree)`),
      line("Rows of format v1 sealed", d.v1Rows),
      line("Of them chained", d.chained),
      line("Sealed ids", `${d.firstId} to ${d.headId}`),
    ],
  },
  "audit.verified": {
    label: "Full verification finished",
    lines: (d) => [
      line("Result", d.ok ? "intact" : "problems found"),
      line("Rows checked", d.rows),
      line("Log size", d.size),
      d.checkpointSize !== null && line("Against checkpoint of size", d.checkpointSize),
      d.problemCount > 0 && line("Problems", d.problemCount),
      ...d.problems.map((problem) => line("Problem", problem)),
      line("Signed result", d.attestation ? "yes" : "no"),
    ],
  },
  "audit.verification_requested": {
    label: "Full verification requested",
    lines: (d) => [
      line("Asked by", d.via === "page" ? "a reviewer on the audit page" : "the schedule"),
      line("Run", `${d.runId.slice(0, 8)}…`),
    ],
  },
  "practice.started": {
    label: "Practice call started",
    lines: (d) => [
      line("Scenario", `${d.scenarioKey}, version ${d.scenarioVersion}`),
      line("Policy version", d.policyVersion),
    ],
  },
  "practice.finished": {
    label: "Practice call finished",
    lines: (d) => [
      line("Scenario", d.scenario),
      line("The caller was", d.impostor ? "an impostor" : "the employee"),
      line("Score", `${d.score} of 100`),
      line("Handled safely", yesNo(d.safe)),
      line("Passed", yesNo(d.passed)),
      line("Moves", d.moves),
      d.missedFlags.length > 0 && line("Red flags missed", d.missedFlags.length),
    ],
  },
  "practice.refused": {
    label: "Practice act refused",
    lines: (d) => [line("Tried to", d.attempted), textLine("Why", d.detail)],
  },
  "audit.integrity_alert": {
    label: "Integrity alert: rows not part of the log",
    lines: (d) => [
      line("At checkpoint size", d.checkpointSize),
      line("Rows flagged", d.flaggedCount),
      ...d.flagged.map((flag) => line("Flagged", flag)),
      textLine("Gap", d.gap),
      d.strayRows > 0 && line("Rows outside the log", d.strayRows),
    ],
  },
  "case.contact_recorded": {
    label: "Number or address heard on the call recorded",
    lines: (d) => [
      line("What", CONTACT_KIND_LABELS[d.kind]),
      line("Value (masked)", d.contact),
      line("When", d.when === "opening" ? "at opening" : "during the call"),
    ],
  },
  "signal.raised": {
    label: "Fraud signal raised",
    lines: (d) => [
      line("Rules", signalRules(d.rules)),
      line("Effect", SIGNAL_EFFECT_LABELS[d.effect]),
      line("Calls", d.cases),
      line("People", d.people),
    ],
  },
  "signal.updated": {
    label: "Fraud signal given new evidence",
    lines: (d) => [
      line("Rules", signalRules(d.rules)),
      line("Effect", SIGNAL_EFFECT_LABELS[d.effect]),
      line("Effect raised", yesNo(d.effectRaised)),
      line("Calls", d.cases),
      line("People", d.people),
    ],
  },
  "signal.effect_applied": {
    label: "Fraud signal applied to the case",
    lines: (d) => [
      line("Effect", SIGNAL_EFFECT_LABELS[d.effect]),
      { label: "Signal", value: `${d.signalId.slice(0, 8)}…`, href: `/signals/${d.signalId}` },
      voidedLine(d.voided),
    ],
  },
  "signal.reviewed": {
    label: "Fraud signal reviewed",
    lines: (d) => [
      line(
        "Decision",
        d.decision === "confirmed" ? "confirmed: its effect stays" : "dismissed: its effect lifts",
      ),
      line("Effect", SIGNAL_EFFECT_LABELS[d.effect]),
      line("Calls", d.cases),
      textLine("Note", d.note),
    ],
  },
  "signal.review_refused": {
    label: "Fraud signal review refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "ssf.token_issued": {
    label: "Shared Signals receiver token issued",
    lines: (d) => [line("Receiver", d.name)],
  },
  "ssf.token_revoked": {
    label: "Shared Signals receiver token revoked",
    lines: (d) => [line("Receiver", d.name), line("Streams stopped", d.streams)],
  },
  "ssf.stream_changed": {
    label: "Shared Signals stream changed",
    lines: (d) => [
      line("Change", d.change),
      d.deliveryMethod && line("Delivery", d.deliveryMethod),
      d.status && line("Status", d.status),
    ],
  },
  "ssf.request_refused": {
    label: "Shared Signals request refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "scim.token_issued": {
    label: "Provisioning token issued",
    lines: (d) => [
      textLine("Name", d.name),
      line("Token", `${d.prefix}…`),
      line("Scopes", d.scopes.join(", ")),
      line("Expires", d.expiresAt),
      ...(d.replaces ? [line("Replaces", `${d.replaces}…`)] : []),
    ],
  },
  "scim.token_revoked": {
    label: "Provisioning token revoked",
    lines: (d) => [line("Token", `${d.prefix}…`)],
  },
  "scim.request_refused": {
    label: "Provisioning request refused",
    lines: (d) => [line("Status", d.status), textLine("Why", d.detail)],
  },
  "scim.user_created": {
    label: "Person joined (identity provider)",
    lines: (d) => [line("Employee ID", d.employeeId), line("Active", yesNo(d.active))],
  },
  "scim.user_changed": {
    label: "Record changed (identity provider)",
    lines: (d) => [
      line("Fields", d.fields.join(", ") || "none"),
      line("Pending approvals lapsed", d.lapsedApprovals),
    ],
  },
  // Self-service on /account (docs/decisions/036).
  "account.passkey_renamed": {
    label: "User named a passkey",
    lines: (d) => [line("Model", d.model), line("Name", d.named ? "given" : "cleared")],
  },
  "account.passkey_removed": {
    label: "User removed a passkey",
    lines: (d) => [
      line("Model", d.model),
      line("Was their last passkey", yesNo(d.last)),
      line("Sessions ended", d.endedSessions),
    ],
  },
  "account.passkey_reported_lost": {
    label: "User reported a device lost",
    lines: (d) => [
      line("Model", d.model),
      line("Reason", REVOCATION_REASON_LABELS[d.reason]),
      line("Was their last passkey", yesNo(d.last)),
      line("Sessions ended", d.endedSessions),
    ],
  },
  "account.signed_out_everywhere": {
    label: "User signed out everywhere",
    lines: (d) => [line("Sessions ended", d.endedSessions)],
  },
  "account.change_refused": {
    label: "User's account change refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "account.change_repudiated": {
    label: "Account change reported as “not me”",
    lines: (d) => [
      line("Change", ACCOUNT_CHANGE_LABELS[d.change]),
      line("Sessions ended", d.endedSessions),
      line("Voided", voidedSummary(d.voided)),
    ],
  },
  // Passkey rollout: waves and nudge campaigns (docs/decisions/038).
  "wave.created": { label: "Rollout wave defined", lines: (d) => waveLines(d) },
  "wave.changed": { label: "Rollout wave changed", lines: (d) => waveLines(d) },
  "wave.retired": { label: "Rollout wave retired", lines: (d) => [textLine("Wave", d.name)] },
  "wave.refused": {
    label: "Rollout wave change refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "nudge.campaign_started": {
    label: "Nudge campaign started",
    lines: (d) => [
      line("Scope", d.tier ? `risk tier ${lower(d.tier)}` : "a rollout wave"),
      line("At lockout risk at start", d.atRiskAtStart),
      line("Rate", `${plural(d.ratePerHour, "mail")} an hour`),
      line("Each person at most every", plural(d.resendDays, "day")),
    ],
  },
  "nudge.campaign_stopped": {
    label: "Nudge campaign stopped",
    lines: (d) => [line("People mailed", d.mailed)],
  },
  "nudge.campaign_completed": {
    label: "Nudge campaign completed (nobody left at risk)",
    lines: (d) => [line("People mailed", d.mailed)],
  },
  "nudge.mailed": {
    label: "Nudge mails sent",
    lines: (d) => [line("Mailed now", d.mailed), line("Still at risk", d.atRisk)],
  },
  "nudge.campaign_refused": {
    label: "Nudge campaign change refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  // Recovery codes (issue 15, part B).
  "codes.generated": {
    label: "Recovery codes made",
    lines: (d) => [line("Codes", d.codes), line("Replaced an earlier set", yesNo(d.replaced))],
  },
  "codes.generate_refused": {
    label: "Making recovery codes refused",
    lines: (d) => [textLine("Why", d.detail)],
  },
  "codes.redeemed": {
    label: "Recovery code used",
    lines: (d) => [line("Codes left", d.codesLeft)],
  },
  "codes.redeem_refused": {
    label: "Recovery code refused",
    lines: (d) => [
      textLine("Why", d.detail),
      d.attemptsLeft !== undefined &&
        line("Wrong codes left before the set is void", d.attemptsLeft),
      d.setVoided === true && line("Set voided", "yes"),
    ],
  },
  // Security keys and break-glass accounts (issue 15, part D; docs/decisions/039).
  "securitykey.added": {
    label: "Security key added to stock",
    lines: (d) => [line("Serial", d.serial), textLine("Model", d.model), line("AAGUID", d.aaguid)],
  },
  "securitykey.issued": {
    label: "Security key issued (passkey enrolled)",
    lines: (d) => [line("Serial", d.serial)],
  },
  "securitykey.returned": {
    label: "Security key returned (passkey revoked)",
    lines: (d) => [line("Serial", d.serial), line("Passkeys revoked", d.revokedPasskeys)],
  },
  "securitykey.lost": {
    label: "Security key reported lost (passkey revoked)",
    lines: (d) => [line("Serial", d.serial), line("Passkeys revoked", d.revokedPasskeys)],
  },
  "securitykey.retired": {
    label: "Security key retired",
    lines: (d) => [line("Serial", d.serial)],
  },
  "securitykey.refused": {
    label: "Security key change refused",
    lines: (d) => [textLine("Attempted", d.attempted), textLine("Why", d.detail)],
  },
  "breakglass.changed": {
    label: "Break-glass mark changed",
    lines: (d) => [line("Break-glass", yesNo(d.breakGlass)), textLine("Why", d.reason)],
  },
  "breakglass.test_declared": {
    label: "Break-glass test declared",
    lines: (d) => [line("Until", d.until)],
  },
  "breakglass.signed_in": {
    label: "Break-glass account's passkey used",
    lines: (d) => [
      line("Kind", d.kind === "test" ? "declared test" : "incident (security alerted)"),
      line(
        "Used for",
        d.use === "case proof" ? "proving identity on a recovery case" : "signing in",
      ),
      textLine("Passkey", d.model),
    ],
  },
  "approval.vote_recorded": {
    label: "Break-glass recovery approved by one of three",
    lines: (d) => [
      line("Role", d.role),
      line("Still needed", d.missing.join(", ") || "nobody"),
      textLine("Reason", d.reason),
    ],
  },
};

function waveLines(d: {
  name: string;
  departments: string[];
  tiers: string[];
  startsOn: string;
  windowEndsOn: string;
}) {
  return [
    textLine("Wave", d.name),
    line("Departments", d.departments.join(", ") || "every department"),
    line("Tiers", d.tiers.map(lower).join(", ") || "every tier"),
    line("Starts on", d.startsOn),
    line("Migration window ends", d.windowEndsOn),
  ];
}

function signalRules(rules: readonly SignalRule[]): string {
  return rules.map((rule) => SIGNAL_RULE_LABELS[rule]).join("; ");
}

/**
 * Reads of the audit trail: a reviewer looking (each audit page view is a row), exporting, or
 * asking for a full verification. They change nobody's access, and hidden by default they no
 * longer bury the decisions a reviewer came to see (docs/decisions/026).
 */
export const AUDIT_READ_ACTIONS = [
  "audit.viewed",
  "audit.exported",
  "audit.verification_requested",
] as const satisfies readonly AuditAction[];

export function isAuditRead(action: string): boolean {
  return (AUDIT_READ_ACTIONS as readonly string[]).includes(action);
}

function known(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_WORDS, action);
}

/** The action in words; an action outside the list is named as it is, marked unknown. */
export function auditActionLabel(action: string): string {
  return known(action) ? AUDIT_WORDS[action].label : `Unknown action (${shownText(action)})`;
}

/** Why something was refused, in words (the row's reason code). */
export function refusalLabel(reason: string | null): string {
  if (!reason) return "refused";
  const words = (REFUSAL_LABELS as Record<string, string>)[reason];
  return `refused: ${words ?? lower(shownText(reason))}`;
}

/**
 * The payload of an event as readable lines. A payload that does not parse under its action's
 * schema (or an unknown action) is shown field by field as stored.
 */
export function auditDetailLines(action: string, data: unknown): AuditLine[] {
  if (known(action)) {
    const parsed = AUDIT_ACTIONS[action].safeParse(data);
    if (parsed.success) {
      const words = AUDIT_WORDS[action] as Words<AuditAction>;
      return words
        .lines(parsed.data as Payload<AuditAction>)
        .filter((entry): entry is AuditLine => Boolean(entry));
    }
  }
  return rawLines(data);
}

/** Fields as stored: "someField" becomes "Some field", values in short JSON. */
function rawLines(data: unknown): AuditLine[] {
  if (data === null || typeof data !== "object" || Array.isArray(data))
    return data === undefined ? [] : [line("Data", JSON.stringify(data) ?? String(data))];
  return Object.entries(data).map(([key, value]) => {
    const label = key
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replaceAll("_", " ")
      .toLowerCase();
    return line(
      label.charAt(0).toUpperCase() + label.slice(1),
      typeof value === "string" ? value : JSON.stringify(value),
    );
  });
}

/**
 * Who and what a row is about, with links: the user by name (their page) and the case (its
 * page). `userNames` holds the names the page looked up; a user not found shows a short id.
 */
export function auditSubjectLines(
  event: { subjectUserId: string | null; caseId: string | null },
  userNames: ReadonlyMap<string, string>,
): AuditLine[] {
  const lines: AuditLine[] = [];
  if (event.subjectUserId)
    lines.push({
      label: "User",
      value: shownText(userNames.get(event.subjectUserId) ?? `${event.subjectUserId.slice(0, 8)}…`),
      href: `/users/${event.subjectUserId}`,
    });
  if (event.caseId)
    lines.push({
      label: "Case",
      value: `${event.caseId.slice(0, 8)}…`,
      href: `/cases/${event.caseId}`,
    });
  return lines;
}
