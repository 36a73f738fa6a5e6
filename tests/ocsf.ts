/**
 * The compiled OCSF schema (lib/domain/ocsf-schema.json, docs/decisions/018-ocsf-events.md) as an
 * Ajv validator, for tests. `strictRequired` is off because the schema's sibling rules say "not
 * both of these", naming attributes that the rule itself does not define.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { AuditAction, AuditPayload } from "@/lib/domain/audit-actions";
import schema from "@/lib/domain/ocsf-schema.json";

export const validateOcsf = new Ajv2020({ allErrors: true, strictRequired: false }).compile(schema);

/** The first validation errors, for an assertion's message. */
export function ocsfErrors(): string {
  return JSON.stringify(validateOcsf.errors?.slice(0, 5), null, 1);
}

const voided = {
  passes: 1,
  passSessions: 0,
  enrolmentLinks: 1,
  stepLinks: 0,
  approvals: 1,
  challenges: 2,
};

/** A realistic payload for every audited action (the type makes the list complete). */
export const AUDIT_PAYLOAD_EXAMPLES: { [A in AuditAction]: AuditPayload<A> } = {
  "staff.signed_in": { method: "oidc", amr: ["hwk", "user"], acr: "phr", phishingResistant: true },
  "staff.sign_in_refused": { method: "demo", email: "ghost@example.com", detail: "unknown staff" },
  "staff.signed_out": {},
  "staff.provisioned": { role: "AGENT", provider: "oidc", team: "Tier 1 EU" },
  "staff.team_changed": { from: "Tier 1 EU", to: "Tier 1 US" },
  "staff.role_changed": { from: "AGENT", to: "SUPERVISOR" },
  "access.denied": { permission: "audit:read", path: "/audit" },
  "case.opened": {
    reason: "LOST_DEVICE",
    channel: "PHONE",
    scriptKey: "standard-lost",
    policyVersion: 1,
    repeatCall: 0,
    needsApproval: false,
  },
  "case.action_refused": { attempted: "issue-tap", detail: "The checklist is not complete." },
  "step.recorded": {
    step: "CALLBACK",
    outcome: "PASSED",
    complete: false,
    note: "Called back on the number of record",
  },
  "step.link_sent": { step: "MANAGER_CONFIRMATION", sentTo: "m•••@example.com" },
  "step.answered": {
    step: "MANAGER_CONFIRMATION",
    outcome: "FAILED",
    complete: false,
    voided,
    hold: true,
  },
  "step.corrected": { step: "CALLBACK", from: "FAILED", note: "Misclick", clearedHolds: 0 },
  "step.link_refused": { detail: "expired" },
  "case.red_flag_raised": { flag: "PRESSURE", effect: "escalate", note: "Caller insisted", voided },
  "case.transferred": { from: "Tier 1 EU", to: "Tier 1 US", note: "Caller in New York" },
  "case.assigned": {
    from: "4f6c1a2e-8d3b-4c5a-9e7f-1a2b3c4d5e6f",
    to: "5a7d2b3f-9e4c-4d6b-8f8a-2b3c4d5e6f70",
    toName: "Sam Agent",
    note: "Taking over after lunch",
  },
  "case.note_added": {
    noteId: "6b8e3c4a-0f5d-4e7c-9a9b-3c4d5e6f7081",
    sha256: "a".repeat(64),
    length: 42,
  },
  "case.ticket_set": { from: null, to: "INC0012345" },
  "case.hold_cleared": {
    holdReason: "Supervisor denied a re-enrolment",
    note: "Verified in person",
  },
  "workforce.status_changed": {
    from: "ACTIVE",
    to: "LEFT",
    endedSessions: 2,
    voided,
    closedCases: 1,
  },
  "tap.issued": {
    lifetimeMinutes: 60,
    oneTime: true,
    maxFailedAttempts: 10,
    sentTo: "j•••@example.com",
    replaced: 0,
  },
  "tap.redeemed": { oneTime: true },
  "tap.redeem_refused": { detail: "wrong pass", attemptsLeft: 9 },
  "tap.guessed": { wrongTries: 5, voided: false, nextTryAt: "2026-11-24T10:00:00.000Z" },
  "passkey.enrolled": {
    model: "iCloud Keychain",
    aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
    backedUp: true,
    transports: ["internal", "hybrid"],
    via: "tap",
    revokedPasskeys: 1,
  },
  "passkey.enrol_refused": { detail: "challenge expired" },
  "case.repudiated": {
    voidedPasses: 1,
    revokedPasskeys: 1,
    endedSessions: 1,
    caseStatus: "CLOSED",
    voided,
  },
  "case.repudiation_refused": { detail: "used" },
  "passkey.repudiated": { model: "YubiKey 5", revokedPasskeys: 1, endedSessions: 1, voided },
  "passkey.revoked": {
    scope: "ALL",
    reason: "STOLEN",
    revokedPasskeys: 2,
    voidedPasses: 1,
    voidedLinks: 0,
    voidedApprovals: 0,
    endedSessions: 1,
  },
  "workforce.signed_in": { model: "Google Password Manager" },
  "workforce.sign_in_refused": { detail: "revoked credential" },
  "workforce.reverified": { model: "Windows Hello" },
  "workforce.reverify_refused": { detail: "no user verification" },
  "reenrolment.requested": {
    needsApproval: true,
    needReason: "high-risk tier",
    revokePasskeys: 1,
    snapshotHash: "a".repeat(64),
    supervisorsTold: ["5d0c3c1e-8a51-4bb5-9a3e-0f2a1b2c3d4e"],
  },
  "approval.approved": { snapshotHash: "a".repeat(64), reason: "Callback and manager confirmed" },
  "approval.denied": { reason: "Caller could not answer the callback", voided },
  "approval.lapsed": { why: "expired", snapshotHash: "a".repeat(64), requesterTold: true },
  "reenrolment.link_sent": { sentTo: "j•••@example.com", expiresMinutes: 10, revokePasskeys: 1 },
  "case.closed": { closeReason: "Resolved", voidedPasses: 0, voidedLinks: 1, userTold: true },
  "audit.viewed": { filters: { action: "passkey.revoked" }, verified: true },
  "audit.exported": { filters: {}, format: "ocsf" },
  "staff.step_up_required": {
    attempted: "revoke passkeys",
    path: "/users/1",
    next: "confirm",
    lastVerifiedAt: null,
  },
  "staff.stepped_up": { passkeyId: "9b2f0c1e-5a4d-4c3b-8e7f-1a2b3c4d5e6f" },
  "staff.step_up_refused": { detail: "no user verification" },
  "staff.passkey_added": {
    aaguid: "ee882879-721c-4913-9775-3dfcce97072a",
    backedUp: false,
    transports: ["usb"],
    via: "step-up",
  },
  "staff.passkey_add_refused": { detail: "duplicate credential" },
  "staff.passkey_removed": { via: "fresh sign-in" },
  "system.demo_seeded": { workforceUsers: 40, staff: 6 },
  "certification.granted": {
    staffId: "6f1c1d0e-8a1b-4c2d-9e3f-0a1b2c3d4e5f",
    expiresAt: "2027-11-25T12:00:00.000Z",
    policyVersion: 2,
    basis: "practice",
    runIds: ["7a1c1d0e-8a1b-4c2d-9e3f-0a1b2c3d4e5f"],
  },
  "certification.reminder_sent": {
    staffId: "6f1c1d0e-8a1b-4c2d-9e3f-0a1b2c3d4e5f",
    expiresAt: "2027-11-25T12:00:00.000Z",
    daysLeft: 30,
  },
  "certification.expired": {
    staffId: "6f1c1d0e-8a1b-4c2d-9e3f-0a1b2c3d4e5f",
    expiresAt: "2027-11-25T12:00:00.000Z",
  },
  "scenario.created": {
    key: "new-scenario",
    version: 1,
    hash: "a".repeat(64),
    note: "First draft",
  },
  "scenario.save_refused": {
    key: "urgent-admin-new-number",
    baseVersion: 1,
    detail: "The scenario changed meanwhile",
  },
  "scenario.revised": {
    key: "urgent-admin-new-number",
    version: 2,
    hash: "b".repeat(64),
    note: "The caller now names the CFO",
    previousHash: "a".repeat(64),
  },
  "audit.format_changed": {
    from: 1,
    to: 2,
    v1Rows: 12,
    chained: 10,
    firstId: "1",
    headId: "12",
    headHash: "a".repeat(64),
    v1Digest: "b".repeat(64),
    legacyIds: ["1", "2"],
  },
  "audit.verified": {
    ok: false,
    rows: 1200,
    size: 1190,
    checkpointSize: 1180,
    problemCount: 1,
    problems: ["position 7: columns differ from the signed entry: outcome"],
    attestation: null,
  },
  "audit.verification_requested": {
    runId: "6d2f4c1e-8a3b-4c5d-9e6f-7a8b9c0d1e2f",
    via: "page",
  },
  "audit.integrity_alert": {
    checkpointSize: 1180,
    flagged: ["position 1179 (row 1201): signed by an unknown key (0000000000000000)"],
    flaggedCount: 1,
    gap: null,
    strayRows: 0,
  },
  "practice.started": {
    scenarioKey: "urgent-admin-new-number",
    scenarioVersion: 1,
    scenarioHash: "a".repeat(64),
    policyVersion: 2,
  },
  "practice.finished": {
    scenario: "urgent-admin-new-number@1",
    impostor: true,
    score: 55,
    safe: false,
    passed: false,
    moves: 4,
    missedFlags: ["PRESSURE"],
  },
  "practice.refused": { attempted: "practice move", detail: "This practice run is not yours." },
  "case.contact_recorded": { kind: "CALLER_ID", contact: "+44•••••••958", when: "opening" },
  "signal.raised": {
    rules: ["shared-contact"],
    effect: "escalate",
    cases: 2,
    people: 2,
  },
  "signal.updated": {
    rules: ["shared-contact", "privileged-burst"],
    effect: "escalate",
    effectRaised: false,
    cases: 5,
    people: 5,
  },
  "signal.effect_applied": {
    signalId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    effect: "escalate",
    voided,
  },
  "signal.reviewed": {
    decision: "dismissed",
    note: "A shared reception line",
    effect: "escalate",
    cases: 2,
  },
  "signal.review_refused": { detail: "This signal was already reviewed." },
  "webhook.endpoint_added": {
    endpointId: "7b1e2c4d-5f60-4a71-8b92-a3b4c5d6e7f8",
    name: "Service desk",
    url: "https://itsm.example/hooks/console",
  },
  "webhook.endpoint_disabled": {
    endpointId: "7b1e2c4d-5f60-4a71-8b92-a3b4c5d6e7f8",
    name: "Service desk",
  },
  "webhook.endpoint_refused": { detail: "That endpoint is already disabled." },
};
