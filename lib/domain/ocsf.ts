/**
 * Audit events as OCSF 1.9.0-dev events (docs/decisions/018-ocsf-events.md): one stored audit
 * event in, one OCSF event object out. Pure and self-contained, so the export
 * (lib/server/export-audit-events.ts) and a SIEM sink running in plain Node can both import it:
 * no "server-only", no Prisma at run time, nothing read from the environment.
 *
 * Three classes, all in Identity & Access Management (category 3):
 * - Authentication (3002): staff and workforce sign-ins, sign-outs, step-ups and "Confirm it's
 *   you", and redeeming a temporary access pass (it opens a session);
 * - User Management (3007): what changes a person's ways in: passkeys enrolled and revoked, passes
 *   issued and voided, enrolment links, re-enrolment requests, staff records and roles, employment
 *   status, holds, "this wasn't me";
 * - Entity Management (3004): what staff do to the console's own records at the console: cases,
 *   steps, approvals, the audit trail; also the default for an action this module does not know.
 *
 * Every field the console has and OCSF has no place for (the raw action code, the case, the reason,
 * the payload, the format version, the v2 position and event id) is kept under `unmapped`.
 * Payloads never carry secrets (lib/domain/audit-actions.ts) and nothing is added here.
 */
import { isIP } from "node:net";
import type { AuditAction } from "./audit-actions";

/** The OCSF version every event says it follows (`metadata.version`). */
export const OCSF_VERSION = "1.9.0-dev";
/** The console's own version (package.json), the default `metadata.product.version`. */
export const CONSOLE_VERSION = "0.1.0";
export const OCSF_PRODUCT_NAME = "Passkey Recovery Console";

/**
 * An audit event as stored (the AuditEvent row), or as exported (id and times as text). `position`
 * and `eventId` are the v2 columns (docs/decisions/017), absent or null on v1 rows.
 */
export type StoredAuditEvent = {
  id: bigint | number | string;
  createdAt: Date | string;
  action: string;
  outcome: string;
  reason: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  subjectUserId: string | null;
  caseId: string | null;
  requestId: string | null;
  ip: string | null;
  data: unknown;
  formatVersion: number;
  position?: bigint | number | string | null;
  eventId?: string | null;
};

export type OcsfOptions = {
  /** `metadata.product.vendor_name`: who ships this console. */
  vendorName?: string;
  /** `metadata.product.version`; CONSOLE_VERSION unless said. */
  productVersion?: string;
  /** `metadata.tenant_uid`, for a SIEM that receives several consoles. */
  tenantUid?: string;
};

type OcsfUser = { uid?: string; name?: string; type_id: number; type: string };
type OcsfAuthFactor = { factor_type_id: number; factor_type: string; provider?: string };

/** The OCSF event this module writes (only the attributes it uses). */
export type OcsfEvent = {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code?: string;
  status_detail?: string;
  time: number;
  timezone_offset: number;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    uid: string;
    original_time: string;
    logged_time: number;
    event_code: string;
    log_name: string;
    sequence?: number;
    correlation_uid?: string;
    tenant_uid?: string;
  };
  actor: { app_name: string; user: OcsfUser; iam_role?: { name: string } };
  src_endpoint?: { ip: string };
  user?: OcsfUser;
  service?: { name: string; version: string };
  auth_factors?: OcsfAuthFactor[];
  auth_protocol_id?: number;
  auth_protocol?: string;
  is_mfa?: boolean;
  is_remote?: boolean;
  iam_roles?: { name: string }[];
  entity?: { uid?: string; name?: string; type_id: number; type: string };
  comment?: string;
  unmapped: Record<string, unknown>;
};

/** The classes used, with the captions of the activities used (the compiled schema checks them). */
export const OCSF_CLASSES = {
  authentication: {
    class_uid: 3002,
    caption: "Authentication",
    activities: { 1: "Logon", 2: "Logoff", 99: "Other" },
  },
  user_management: {
    class_uid: 3007,
    caption: "User Management",
    activities: {
      1: "Create",
      2: "Update",
      4: "Enable",
      5: "Disable",
      6: "Lock",
      7: "Unlock",
      12: "Enable MFA Factors",
      13: "Disable MFA Factors",
      16: "Assign Roles",
      99: "Other",
    },
  },
  entity_management: {
    class_uid: 3004,
    caption: "Entity Management",
    activities: { 1: "Create", 2: "Read", 3: "Update", 5: "Move", 99: "Other" },
  },
} as const satisfies Record<
  string,
  { class_uid: number; caption: string; activities: Record<number, string> }
>;
export type OcsfClass = keyof typeof OCSF_CLASSES;
type Activity<C extends OcsfClass> = keyof (typeof OCSF_CLASSES)[C]["activities"] & number;

const CATEGORY = { uid: 3, caption: "Identity & Access Management" } as const;
export const OCSF_SEVERITIES = { 1: "Informational", 2: "Low", 3: "Medium", 4: "High" } as const;
type Severity = keyof typeof OCSF_SEVERITIES;
const STATUSES = { ALLOWED: [1, "Success"], REFUSED: [2, "Failure"] } as const;

const WEBAUTHN: OcsfAuthFactor = { factor_type_id: 10, factor_type: "WebAuthn" };
const TAP: OcsfAuthFactor = { factor_type_id: 99, factor_type: "Temporary Access Pass" };
const ENROLMENT_LINK: OcsfAuthFactor = { factor_type_id: 99, factor_type: "Enrolment Link" };
const RECOVERY_CODE: OcsfAuthFactor = { factor_type_id: 99, factor_type: "Recovery Code" };

type Payload = Record<string, unknown>;
type Rule = {
  [C in OcsfClass]: {
    class: C;
    activity: Activity<C> | ((data: Payload) => Activity<C>);
    /** activity_name when the activity is 99 Other: the console's own verb. */
    other?: string;
    message: string;
    /** Allowed / refused severities when not Informational / Low. */
    severity?: Severity | ((data: Payload) => Severity);
    factors?: OcsfAuthFactor[];
    /** Entity Management: what kind of record is acted upon. */
    entity?: string;
  };
}[OcsfClass];

const authentication = (rule: Omit<Extract<Rule, { class: "authentication" }>, "class">): Rule => ({
  class: "authentication",
  ...rule,
});
const userManagement = (
  rule: Omit<Extract<Rule, { class: "user_management" }>, "class">,
): Rule => ({
  class: "user_management",
  ...rule,
});
const entity = (rule: Omit<Extract<Rule, { class: "entity_management" }>, "class">): Rule => ({
  class: "entity_management",
  ...rule,
});

/** Every action in the closed list, and its class and activity (docs/decisions/018 has the table). */
export const OCSF_RULES = {
  "staff.signed_in": authentication({ activity: 1, message: "Staff member signed in" }),
  "staff.sign_in_refused": authentication({ activity: 1, message: "Staff sign-in refused" }),
  "staff.signed_out": authentication({ activity: 2, message: "Staff member signed out" }),
  "staff.stepped_up": authentication({
    activity: 99,
    other: "Reauthenticate",
    message: "Staff member confirmed it's them (step-up)",
    factors: [WEBAUTHN],
  }),
  "staff.step_up_refused": authentication({
    activity: 99,
    other: "Reauthenticate",
    message: "Staff step-up refused",
    factors: [WEBAUTHN],
  }),
  "workforce.signed_in": authentication({
    activity: 1,
    message: "Workforce user signed in with a passkey",
    factors: [WEBAUTHN],
  }),
  "workforce.sign_in_refused": authentication({
    activity: 1,
    message: "Workforce passkey sign-in refused",
    factors: [WEBAUTHN],
  }),
  "workforce.reverified": authentication({
    activity: 99,
    other: "Reauthenticate",
    message: "Workforce user confirmed it's them",
    factors: [WEBAUTHN],
  }),
  "workforce.reverify_refused": authentication({
    activity: 99,
    other: "Reauthenticate",
    message: 'Workforce "Confirm it\'s you" refused',
    factors: [WEBAUTHN],
  }),
  "tap.redeemed": authentication({
    activity: 1,
    message: "Temporary access pass redeemed",
    factors: [TAP],
    severity: 2,
  }),
  "tap.redeem_refused": authentication({
    activity: 1,
    message: "Temporary access pass redemption refused",
    factors: [TAP],
  }),

  "passkey.enrolled": userManagement({
    activity: 12,
    message: "Passkey enrolled",
    factors: [WEBAUTHN],
  }),
  "passkey.enrol_refused": userManagement({
    activity: 12,
    message: "Passkey enrolment refused",
    factors: [WEBAUTHN],
  }),
  "passkey.revoked": userManagement({
    activity: 13,
    message: "Passkeys revoked",
    factors: [WEBAUTHN],
    severity: 3,
  }),
  "passkey.repudiated": userManagement({
    activity: 13,
    message: "User said an added passkey was not them; it was revoked",
    factors: [WEBAUTHN],
    severity: 4,
  }),
  "case.repudiated": userManagement({
    activity: 13,
    message: "User said a recovery was not them; what it created was undone",
    factors: [WEBAUTHN, TAP],
    severity: 4,
  }),
  "tap.issued": userManagement({
    activity: 12,
    message: "Temporary access pass issued",
    factors: [TAP],
    severity: 2,
  }),
  "tap.guessed": userManagement({
    activity: (data) => (data.voided === true ? 13 : 6),
    message: "Wrong temporary access pass guesses reached a limit",
    factors: [TAP],
    severity: (data) => (data.voided === true ? 4 : 3),
  }),
  "reenrolment.requested": userManagement({
    activity: 99,
    other: "Request Re-enrolment",
    message: "Passkey re-enrolment requested",
  }),
  "reenrolment.link_sent": userManagement({
    activity: 12,
    message: "Enrolment link sent",
    factors: [ENROLMENT_LINK],
    severity: 2,
  }),
  "staff.passkey_added": userManagement({
    activity: 12,
    message: "Staff passkey added",
    factors: [WEBAUTHN],
  }),
  "staff.passkey_add_refused": userManagement({
    activity: 12,
    message: "Staff passkey registration refused",
    factors: [WEBAUTHN],
  }),
  "staff.passkey_removed": userManagement({
    activity: 13,
    message: "Staff passkey removed",
    factors: [WEBAUTHN],
  }),
  "staff.provisioned": userManagement({ activity: 1, message: "Staff member provisioned" }),
  "staff.role_changed": userManagement({
    activity: 16,
    message: "Staff role changed",
    severity: 2,
  }),
  "staff.team_changed": userManagement({ activity: 2, message: "Staff team changed" }),
  "workforce.status_changed": userManagement({
    activity: (data) =>
      data.to === "LEFT" || data.to === "SUSPENDED" ? 5 : data.to === "ACTIVE" ? 4 : 2,
    message: "Employment status changed",
  }),
  "case.hold_cleared": userManagement({
    activity: 7,
    message: "Recovery hold cleared",
    severity: 2,
  }),

  "case.opened": entity({ activity: 1, entity: "Case", message: "Recovery case opened" }),
  "case.action_refused": entity({ activity: 3, entity: "Case", message: "Case action refused" }),
  "step.recorded": entity({ activity: 3, entity: "Case", message: "Verification step recorded" }),
  "step.link_sent": entity({ activity: 3, entity: "Case", message: "Step link sent" }),
  "step.answered": entity({ activity: 3, entity: "Case", message: "Step link answered" }),
  "step.corrected": entity({ activity: 3, entity: "Case", message: "Step reopened" }),
  "step.link_refused": entity({ activity: 3, entity: "Case", message: "Step link refused" }),
  "case.red_flag_raised": entity({
    activity: 3,
    entity: "Case",
    message: "Red flag raised",
    severity: 3,
  }),
  "case.transferred": entity({ activity: 5, entity: "Case", message: "Case transferred" }),
  "case.assigned": entity({ activity: 3, entity: "Case", message: "Case assigned" }),
  "case.note_added": entity({ activity: 3, entity: "Case", message: "Call note added" }),
  "case.ticket_set": entity({ activity: 3, entity: "Case", message: "Ticket reference set" }),
  "case.repudiation_refused": entity({
    activity: 3,
    entity: "Case",
    message: '"This wasn\'t me" link refused',
  }),
  "approval.approved": entity({
    activity: 3,
    entity: "Approval",
    message: "Re-enrolment approved",
    severity: 2,
  }),
  "approval.denied": entity({
    activity: 3,
    entity: "Approval",
    message: "Re-enrolment denied",
    severity: 2,
  }),
  "approval.lapsed": entity({ activity: 3, entity: "Approval", message: "Approval lapsed" }),
  "case.closed": entity({ activity: 3, entity: "Case", message: "Recovery case closed" }),
  "audit.viewed": entity({ activity: 2, entity: "Audit Trail", message: "Audit trail viewed" }),
  "audit.exported": entity({
    activity: 2,
    entity: "Audit Trail",
    message: "Audit trail exported",
    severity: 2,
  }),
  "access.denied": entity({ activity: 2, entity: "Page", message: "Access denied" }),
  "staff.step_up_required": entity({
    activity: 99,
    other: "Require Step-up",
    entity: "Action",
    message: "High-risk act refused: no recent step-up",
  }),
  "audit.verified": entity({
    activity: 2,
    entity: "Audit Trail",
    message: "Audit log verified",
  }),
  "audit.verification_requested": entity({
    activity: 1,
    entity: "Audit Verification",
    message: "Full audit verification requested",
  }),
  "practice.started": entity({
    activity: 1,
    entity: "Practice Run",
    message: "Practice call started",
  }),
  "practice.finished": entity({
    activity: 3,
    entity: "Practice Run",
    message: "Practice call finished",
  }),
  "practice.refused": entity({
    activity: 3,
    entity: "Practice Run",
    message: "Practice act refused",
    severity: 2,
  }),
  "audit.integrity_alert": entity({
    activity: 3,
    entity: "Audit Trail",
    message: "Audit log integrity alert",
    severity: 4,
  }),
  "audit.format_changed": entity({
    activity: 3,
    entity: "Audit Trail",
    message: "Audit log format changed",
  }),
  // Fraud signals across calls (docs/decisions/031). OCSF's Detection Finding (2004) is not in
  // the bundled schema (ocsf-schema.json), so a signal is an entity the console manages.
  "case.contact_recorded": entity({
    activity: 3,
    entity: "Case",
    message: "Number or address heard on a call recorded",
  }),
  "signal.raised": entity({
    activity: 1,
    entity: "Fraud Signal",
    message: "Fraud signal raised",
    severity: (data) => (data.effect === "alert" ? 3 : 4),
  }),
  "signal.updated": entity({
    activity: 3,
    entity: "Fraud Signal",
    message: "Fraud signal given new evidence",
    severity: (data) => (data.effectRaised === true ? 4 : 3),
  }),
  "signal.effect_applied": entity({
    activity: 3,
    entity: "Case",
    message: "Fraud signal applied to a case",
    severity: 3,
  }),
  "signal.reviewed": entity({
    activity: 3,
    entity: "Fraud Signal",
    message: "Fraud signal reviewed",
    severity: 2,
  }),
  "signal.review_refused": entity({
    activity: 3,
    entity: "Fraud Signal",
    message: "Fraud signal review refused",
  }),
  "certification.granted": entity({
    activity: 1,
    entity: "Staff Certification",
    message: "Staff practice certification granted",
  }),
  "certification.reminder_sent": entity({
    activity: 99,
    other: "Remind",
    entity: "Staff Certification",
    message: "Certification expiry reminder sent",
  }),
  "certification.expired": entity({
    activity: 99,
    other: "Expire",
    entity: "Staff Certification",
    message: "Staff practice certification expired",
  }),
  "scim.token_issued": entity({
    activity: 1,
    entity: "SCIM Token",
    message: "SCIM bearer token issued",
  }),
  "scim.token_revoked": entity({
    activity: 99,
    other: "Revoke",
    entity: "SCIM Token",
    message: "SCIM bearer token revoked",
  }),
  "scim.request_refused": entity({
    activity: 99,
    other: "Refuse",
    entity: "SCIM Request",
    message: "SCIM request refused",
  }),
  "scim.user_created": entity({
    activity: 1,
    entity: "Workforce User",
    message: "Person provisioned through SCIM",
  }),
  "scim.user_changed": entity({
    activity: 3,
    entity: "Workforce User",
    message: "Person's record changed through SCIM",
  }),
  "scenario.created": entity({
    activity: 1,
    entity: "Practice Scenario",
    message: "Practice scenario added",
  }),
  "scenario.save_refused": entity({
    activity: 3,
    entity: "Practice Scenario",
    message: "Practice scenario save refused",
  }),
  "scenario.revised": entity({
    activity: 3,
    entity: "Practice Scenario",
    message: "Practice scenario revised",
  }),
  "webhook.endpoint_added": entity({
    activity: 1,
    entity: "Webhook Endpoint",
    message: "Ticket webhook endpoint added",
  }),
  "webhook.endpoint_disabled": entity({
    activity: 3,
    entity: "Webhook Endpoint",
    message: "Ticket webhook endpoint disabled",
  }),
  "webhook.secret_rotated": entity({
    activity: 3,
    entity: "Webhook Endpoint",
    message: "Ticket webhook secret rotated",
  }),
  "webhook.resend_requested": entity({
    activity: 3,
    entity: "Webhook Endpoint",
    message: "Ticket webhook event sent again",
  }),
  "webhook.endpoint_refused": entity({
    activity: 3,
    entity: "Webhook Endpoint",
    message: "Ticket webhook change refused",
  }),
  "system.demo_seeded": entity({
    activity: 1,
    entity: "Demo Organisation",
    message: "Demo organisation loaded",
  }),
  "ssf.token_issued": entity({
    activity: 1,
    entity: "Shared Signals Receiver",
    message: "Shared Signals receiver token issued",
  }),
  "ssf.token_revoked": entity({
    activity: 99,
    other: "Revoke",
    entity: "Shared Signals Receiver",
    message: "Shared Signals receiver token revoked",
  }),
  "ssf.stream_changed": entity({
    activity: 3,
    entity: "Shared Signals Stream",
    message: "Shared Signals stream changed",
  }),
  "ssf.request_refused": entity({
    activity: 3,
    entity: "Shared Signals Stream",
    message: "Shared Signals request refused",
  }),
  // Self-service on /account (docs/decisions/036).
  "account.passkey_renamed": userManagement({
    activity: 2,
    message: "User named one of their passkeys",
    factors: [WEBAUTHN],
  }),
  "account.passkey_removed": userManagement({
    activity: 13,
    message: "User removed one of their passkeys",
    factors: [WEBAUTHN],
    severity: 2,
  }),
  "account.passkey_reported_lost": userManagement({
    activity: 13,
    message: "User reported a device lost; its passkey was revoked",
    factors: [WEBAUTHN],
    severity: 3,
  }),
  "account.signed_out_everywhere": authentication({
    activity: 2,
    message: "User signed out everywhere",
    factors: [WEBAUTHN],
  }),
  "account.change_refused": userManagement({
    activity: 99,
    other: "Change",
    message: "User's account change refused",
    factors: [WEBAUTHN],
  }),
  "account.change_repudiated": userManagement({
    activity: 6,
    message: "User said a change to their account was not them; it was put on hold",
    severity: 4,
  }),
  // Passkey rollout: waves and nudge campaigns (docs/decisions/038).
  "wave.created": entity({ activity: 1, entity: "Rollout Wave", message: "Rollout wave defined" }),
  "wave.changed": entity({ activity: 3, entity: "Rollout Wave", message: "Rollout wave changed" }),
  "wave.retired": entity({ activity: 3, entity: "Rollout Wave", message: "Rollout wave retired" }),
  "wave.refused": entity({
    activity: 3,
    entity: "Rollout Wave",
    message: "Rollout wave change refused",
  }),
  "nudge.campaign_started": entity({
    activity: 1,
    entity: "Nudge Campaign",
    message: "Nudge campaign started",
  }),
  "nudge.campaign_stopped": entity({
    activity: 3,
    entity: "Nudge Campaign",
    message: "Nudge campaign stopped",
  }),
  "nudge.campaign_completed": entity({
    activity: 3,
    entity: "Nudge Campaign",
    message: "Nudge campaign completed",
  }),
  "nudge.mailed": entity({ activity: 3, entity: "Nudge Campaign", message: "Nudge mails sent" }),
  "nudge.campaign_refused": entity({
    activity: 3,
    entity: "Nudge Campaign",
    message: "Nudge campaign change refused",
  }),
  // Recovery codes (issue 15, part B).
  "codes.generated": userManagement({
    activity: 12,
    message: "Recovery codes made",
    factors: [RECOVERY_CODE],
    severity: 2,
  }),
  "codes.generate_refused": userManagement({
    activity: 12,
    message: "Making recovery codes refused",
    factors: [RECOVERY_CODE],
  }),
  "codes.redeemed": authentication({
    activity: 1,
    message: "Recovery code used",
    factors: [RECOVERY_CODE],
    severity: 2,
  }),
  "codes.redeem_refused": authentication({
    activity: 1,
    message: "Recovery code refused",
    factors: [RECOVERY_CODE],
  }),
  // Security keys and break-glass accounts (issue 15, part D; docs/decisions/039).
  "securitykey.added": entity({
    activity: 1,
    entity: "Security Key",
    message: "Security key added to the inventory",
  }),
  "securitykey.issued": userManagement({
    activity: 12,
    message: "Security key issued; its passkey enrolled",
    factors: [WEBAUTHN],
  }),
  "securitykey.returned": userManagement({
    activity: 13,
    message: "Security key returned; its passkey revoked",
    factors: [WEBAUTHN],
  }),
  "securitykey.lost": userManagement({
    activity: 13,
    message: "Security key reported lost; its passkey revoked",
    factors: [WEBAUTHN],
    severity: 3,
  }),
  "securitykey.retired": entity({
    activity: 99,
    other: "Retire",
    entity: "Security Key",
    message: "Security key retired",
  }),
  "securitykey.refused": entity({
    activity: 3,
    entity: "Security Key",
    message: "Security key change refused",
  }),
  "breakglass.changed": entity({
    activity: 3,
    entity: "Break-glass Account",
    message: "Break-glass mark changed",
  }),
  "breakglass.test_declared": entity({
    activity: 1,
    entity: "Break-glass Test",
    message: "Break-glass test declared",
  }),
  "breakglass.signed_in": authentication({
    activity: 1,
    message: "Break-glass account authenticated with a passkey",
    factors: [WEBAUTHN],
    severity: 4,
  }),
  "approval.vote_recorded": entity({
    activity: 3,
    entity: "Approval",
    message: "Break-glass recovery approved by one approver",
  }),
} as const satisfies Record<AuditAction, Rule>;

/** An action outside the closed list (a row from a newer console, say): still exported. */
function fallbackRule(action: string): Rule {
  return entity({
    activity: 99,
    other: action,
    entity: "Record",
    message: `Audit event ${action}`,
  });
}

export function ocsfRuleFor(action: string): Rule {
  return Object.hasOwn(OCSF_RULES, action)
    ? OCSF_RULES[action as AuditAction]
    : fallbackRule(action);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function actorOf(event: StoredAuditEvent): OcsfEvent["actor"] {
  const typeOf = (): [number, string] => {
    switch (event.actorType) {
      case "STAFF":
      case "WORKFORCE_USER":
        return [1, "User"];
      case "SYSTEM":
        return [3, "System"];
      case "ANONYMOUS":
        return [0, "Unknown"];
      default:
        return [99, event.actorType];
    }
  };
  const [type_id, type] = typeOf();
  return {
    app_name: OCSF_PRODUCT_NAME,
    user: {
      ...(event.actorId ? { uid: event.actorId } : {}),
      name: event.actorName,
      type_id,
      type,
    },
    ...(event.actorRole ? { iam_role: { name: event.actorRole } } : {}),
  };
}

/** The person the event is about: the workforce subject, else the staff member acted on or acting. */
function userOf(event: StoredAuditEvent, data: Payload): OcsfUser {
  const uid =
    event.subjectUserId ??
    (event.targetType === "staff" || event.targetType === "user" ? event.targetId : null) ??
    (event.actorType === "STAFF" || event.actorType === "WORKFORCE_USER" ? event.actorId : null);
  if (uid) {
    const name = uid === event.actorId ? event.actorName : undefined;
    return { uid, ...(name ? { name } : {}), type_id: 1, type: "User" };
  }
  // A refused sign-in by someone not (yet) known: the address they gave, or the actor's name.
  return { name: text(data.email) ?? event.actorName, type_id: 0, type: "Unknown" };
}

function bigintText(value: bigint | number | string | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** One stored audit event as one OCSF event. */
export function toOcsf(event: StoredAuditEvent, options: OcsfOptions = {}): OcsfEvent {
  const data: Payload =
    typeof event.data === "object" && event.data !== null && !Array.isArray(event.data)
      ? (event.data as Payload)
      : {};
  const rule = ocsfRuleFor(event.action);
  const klass = OCSF_CLASSES[rule.class];
  const activity = typeof rule.activity === "function" ? rule.activity(data) : rule.activity;
  const activityName =
    activity === 99 ? rule.other! : (klass.activities as Record<number, string>)[activity]!;
  const createdAt = event.createdAt instanceof Date ? event.createdAt : new Date(event.createdAt);
  const time = createdAt.getTime();
  const allowed = event.outcome === "ALLOWED";
  const [status_id, status] =
    event.outcome in STATUSES
      ? STATUSES[event.outcome as keyof typeof STATUSES]
      : ([99, event.outcome] as const);
  const ruleSeverity = typeof rule.severity === "function" ? rule.severity(data) : rule.severity;
  const severity_id: Severity = allowed
    ? (ruleSeverity ?? 1)
    : (Math.max(ruleSeverity ?? 2, 2) as Severity);
  const position = bigintText(event.position);
  const sequence = position === null ? undefined : Number(position);
  const ip = event.ip && isIP(event.ip) ? event.ip : null;
  const detail = text(data.detail);

  const ocsf: OcsfEvent = {
    class_uid: klass.class_uid,
    class_name: klass.caption,
    category_uid: CATEGORY.uid,
    category_name: CATEGORY.caption,
    activity_id: activity,
    activity_name: activityName,
    type_uid: klass.class_uid * 100 + activity,
    type_name: `${klass.caption}: ${activity === 99 ? "Other" : activityName}`,
    severity_id,
    severity: OCSF_SEVERITIES[severity_id],
    status_id,
    status,
    ...(event.reason ? { status_code: event.reason } : {}),
    ...(detail ? { status_detail: detail } : {}),
    time,
    timezone_offset: 0,
    message: rule.message,
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: OCSF_PRODUCT_NAME,
        vendor_name: options.vendorName ?? OCSF_PRODUCT_NAME,
        version: options.productVersion ?? CONSOLE_VERSION,
      },
      // v2 events carry their own random id; a v1 event's id is its place in the append-only table.
      uid: event.eventId ?? String(event.id),
      original_time: createdAt.toISOString(),
      logged_time: time,
      event_code: event.action,
      log_name: "audit",
      ...(sequence !== undefined && Number.isSafeInteger(sequence) ? { sequence } : {}),
      ...(event.caseId ? { correlation_uid: event.caseId } : {}),
      ...(options.tenantUid ? { tenant_uid: options.tenantUid } : {}),
    },
    actor: actorOf(event),
    ...(ip ? { src_endpoint: { ip } } : {}),
    unmapped: {
      audit_id: String(event.id),
      action: event.action,
      outcome: event.outcome,
      reason: event.reason,
      actor_type: event.actorType,
      target_type: event.targetType,
      target_id: event.targetId,
      subject_user_id: event.subjectUserId,
      case_id: event.caseId,
      request_id: event.requestId,
      ...(event.ip && !ip ? { ip: event.ip } : {}),
      format_version: event.formatVersion,
      position,
      event_id: event.eventId ?? null,
      data: event.data,
    },
  };

  if (rule.class === "authentication" || rule.class === "user_management") {
    ocsf.user = userOf(event, data);
    if (rule.factors) ocsf.auth_factors = rule.factors.map((factor) => ({ ...factor }));
    // The factor's make (the passkey's model) where the payload names it.
    const model = text(data.model);
    if (model && ocsf.auth_factors?.[0]?.factor_type_id === 10)
      ocsf.auth_factors[0] = { ...ocsf.auth_factors[0], provider: model };
  }
  if (rule.class === "authentication") {
    ocsf.service = { name: OCSF_PRODUCT_NAME, version: ocsf.metadata.product.version };
    ocsf.is_remote = true;
    if (rule.factors?.includes(WEBAUTHN)) {
      // A passkey assertion with user verification: something held and something known or been.
      ocsf.auth_protocol_id = 99;
      ocsf.auth_protocol = "WebAuthn";
      ocsf.is_mfa = true;
    } else if (data.method === "oidc") {
      ocsf.auth_protocol_id = 4;
      ocsf.auth_protocol = "OpenID";
      if (data.phishingResistant === true) ocsf.is_mfa = true;
    } else if (data.method === "demo") {
      ocsf.auth_protocol_id = 99;
      ocsf.auth_protocol = "Demo Sign-in";
    }
  }
  if (event.action === "staff.role_changed" && text(data.to))
    ocsf.iam_roles = [{ name: text(data.to)! }];
  if (rule.class === "entity_management") {
    const name =
      text(data.path) ??
      text(data.attempted) ??
      (rule.entity === "Audit Trail" ? "audit" : undefined);
    const uid =
      event.targetType?.toLowerCase() === rule.entity?.toLowerCase()
        ? event.targetId
        : rule.entity === "Case"
          ? event.caseId
          : null;
    ocsf.entity = {
      ...(uid ? { uid } : {}),
      ...(name || !uid ? { name: name ?? rule.entity ?? "record" } : {}),
      type_id: 99,
      type: rule.entity ?? "Record",
    };
    const comment = text(data.note) ?? text(data.reason) ?? text(data.closeReason);
    if (comment) ocsf.comment = comment;
  }
  return ocsf;
}
