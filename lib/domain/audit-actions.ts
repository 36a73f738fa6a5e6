/**
 * The closed list of audited actions, each with the schema of its payload. recordAudit()
 * (lib/server/audit.ts) only accepts an action from this list with a payload that parses.
 * Payloads never carry secrets (TAPs, link tokens, session tokens, provider tokens).
 */
import { z } from "zod";
import { replaceForbiddenCharacters } from "./plain-text";
import {
  CASE_CHANNELS,
  CASE_REASONS,
  RED_FLAG_KINDS,
  SIGNAL_EFFECTS,
  STEP_KINDS,
} from "./recovery-policy";
import { CONTACT_KINDS, SIGNAL_RULES } from "./fraud-signals";
import { SELF_SERVICE_CHANNEL } from "./case-vocabulary";
import { REVOCATION_REASONS } from "./revocation";
import { RECORDED_REVOCATION_REASONS } from "./revocation";
import { STAFF_ROLES } from "./roles";
import { ACCOUNT_CHANGES } from "./account-changes";
import { RISK_TIERS } from "./workforce";

const Method = z.enum(["demo", "oidc"]);
/** Free text the console writes, which may quote what a client sent: made safe to keep and read. */
const Detail = z.string().max(300).transform(replaceForbiddenCharacters);
/** A masked address (m•••@example.com), never a full one in the trail of a secret's delivery. */
const Masked = z.string().max(320);
/** What a stop voided (lib/server/cases/void-recovery.ts): counts only, never tokens. */
const Voided = z
  .object({
    passes: z.number().int(),
    passSessions: z.number().int(),
    /** Absent from events recorded before decision 044 (those did not count them). */
    codeSessions: z.number().int().optional(),
    enrolmentLinks: z.number().int(),
    stepLinks: z.number().int(),
    approvals: z.number().int(),
    challenges: z.number().int(),
  })
  .strict();

/** A rollout wave as recorded (docs/decisions/038): its scope and its days. */
const RolloutWave = z
  .object({
    waveId: z.uuid(),
    name: z.string().max(80),
    departments: z.array(z.string().max(80)).max(50),
    tiers: z.array(z.enum(RISK_TIERS)).max(5),
    startsOn: z.iso.date(),
    windowEndsOn: z.iso.date(),
  })
  .strict();

export const AUDIT_ACTIONS = {
  /** A security reviewer issued a Shared Signals receiver its bearer token (only its hash is kept). */
  "ssf.token_issued": z.object({ name: z.string().max(100) }).strict(),
  /** A security reviewer revoked a receiver's token; its streams stop. */
  "ssf.token_revoked": z.object({ name: z.string().max(100), streams: z.number().int() }).strict(),
  /** A receiver created, changed or deleted its stream, or changed its status (decision 034). */
  "ssf.stream_changed": z
    .object({
      change: z.enum(["created", "updated", "replaced", "deleted", "status", "verification"]),
      deliveryMethod: z.enum(["push", "poll"]).optional(),
      status: z.enum(["enabled", "paused", "disabled"]).optional(),
    })
    .strict(),
  /** A stream management request was refused (no or a wrong token, another receiver's stream, bad input). */
  "ssf.request_refused": z.object({ detail: Detail }).strict(),
  /** A staff member signed in and a session began. */
  "staff.signed_in": z
    .object({
      method: Method,
      /** With SSO: the ID token's amr values and acr, and whether that counted as a step-up. */
      amr: z.array(z.string().max(64)).max(10).optional(),
      acr: z.string().max(200).nullable().optional(),
      phishingResistant: z.boolean().optional(),
    })
    .strict(),
  /** A sign-in was refused (unknown or disabled staff, no console role in the IdP claims, demo off). */
  "staff.sign_in_refused": z
    .object({ method: Method, email: z.string().max(320).optional(), detail: z.string().max(200) })
    .strict(),
  /** A staff member signed out; their session was deleted. */
  "staff.signed_out": z.object({}).strict(),
  /** First sign-in through the identity provider created the staff record. */
  "staff.provisioned": z
    .object({
      role: z.enum(STAFF_ROLES),
      provider: z.string().max(64),
      team: z.string().max(100).nullable().optional(),
    })
    .strict(),
  /** The identity provider's team claim changed a staff member's team; their other sessions ended. */
  "staff.team_changed": z
    .object({ from: z.string().max(100).nullable(), to: z.string().max(100).nullable() })
    .strict(),
  /** The identity provider's role claim changed a staff member's role; their other sessions ended. */
  "staff.role_changed": z.object({ from: z.enum(STAFF_ROLES), to: z.enum(STAFF_ROLES) }).strict(),
  /** A signed-in staff member asked for something their role does not allow. */
  "access.denied": z.object({ permission: z.string().max(64), path: z.string().max(512) }).strict(),
  /** An agent opened a recovery case for a caller. */
  "case.opened": z
    .object({
      reason: z.enum(CASE_REASONS),
      channel: z.enum([...CASE_CHANNELS, SELF_SERVICE_CHANNEL]),
      scriptKey: z.string().max(40),
      policyVersion: z.number().int(),
      repeatCall: z.number().int(),
      needsApproval: z.boolean(),
    })
    .strict(),
  /** Any case action the rules refused (out of order, incomplete verification, leaver, throttled...). */
  "case.action_refused": z.object({ attempted: z.string().max(40), detail: Detail }).strict(),
  /** An agent recorded a step they performed; `complete` says whether it completed the checklist. */
  "step.recorded": z
    .object({
      step: z.enum(STEP_KINDS),
      outcome: z.enum(["PASSED", "FAILED", "UNABLE"]),
      complete: z.boolean(),
      note: z.string().max(500),
      /** A failed step stops the case (the event is then a refusal) and voids what it issued. */
      voided: Voided.optional(),
    })
    .strict(),
  /** A one-time link for a step was sent (manager confirmation, passkey proof). */
  "step.link_sent": z.object({ step: z.enum(STEP_KINDS), sentTo: Masked }).strict(),
  /** The person a step link was sent to answered it. */
  "step.answered": z
    .object({
      step: z.enum(STEP_KINDS),
      outcome: z.enum(["PASSED", "FAILED"]),
      complete: z.boolean(),
      voided: Voided.optional(),
      hold: z.boolean().optional(),
    })
    .strict(),
  /** A supervisor reopened a failed or incomplete step (a misclick, or an explicit retry). */
  "step.corrected": z
    .object({
      step: z.enum(STEP_KINDS),
      from: z.enum(["FAILED", "UNABLE"]),
      note: z.string().max(500),
      clearedHolds: z.number().int(),
    })
    .strict(),
  /** A step link was refused (expired, used, voided, unknown), or its ceremony failed. */
  "step.link_refused": z.object({ detail: Detail }).strict(),
  /** An agent raised a red flag; its effect comes from the policy. */
  "case.red_flag_raised": z
    .object({
      flag: z.enum(RED_FLAG_KINDS),
      effect: z.enum(["stop", "escalate"]),
      note: z.string().max(500),
      voided: Voided.optional(),
    })
    .strict(),
  /** A case was handed to another team (only an explicit, audited transfer moves it). */
  "case.transferred": z
    .object({
      from: z.string().max(100).nullable(),
      to: z.string().max(100),
      note: z.string().max(500),
    })
    .strict(),
  /** Someone took a case, or handed it to a colleague of its team (null: nobody has it). */
  "case.assigned": z
    .object({
      from: z.string().uuid().nullable(),
      to: z.string().uuid().nullable(),
      toName: z.string().max(200).nullable(),
      note: z.string().max(500),
    })
    .strict(),
  /**
   * A call note was added. The note itself is in the case (append-only); the trail holds its
   * SHA-256 and length, so a changed note shows, without copying call notes into every SIEM.
   */
  "case.note_added": z
    .object({
      noteId: z.string().uuid(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      length: z.number().int().min(1).max(2000),
    })
    .strict(),
  /** The desk's ticket reference of the call was set or changed (normalised). */
  "case.ticket_set": z
    .object({ from: z.string().max(40).nullable(), to: z.string().max(40) })
    .strict(),
  /** A supervisor cleared a recovery hold that a denial had put on the user. */
  "case.hold_cleared": z
    .object({ holdReason: z.string().max(300), note: z.string().max(500) })
    .strict(),
  /** HR (or a reviewer) changed a person's employment status; leaving or suspension ends every way in that recovery gave. */
  "workforce.status_changed": z
    .object({
      from: z.string().max(20),
      to: z.string().max(20),
      endedSessions: z.number().int(),
      voided: Voided,
      closedCases: z.number().int(),
    })
    .strict(),
  /** A temporary access pass was issued. The value is never recorded. */
  "tap.issued": z
    .object({
      lifetimeMinutes: z.number().int(),
      oneTime: z.boolean(),
      maxFailedAttempts: z.number().int(),
      sentTo: Masked,
      replaced: z.number().int(),
      /** The session a redeemed earlier pass opened, ended by this one (absent before session 12). */
      endedSessions: z.number().int().optional(),
    })
    .strict(),
  /** A workforce user redeemed their pass and got a short session to enrol a passkey. */
  "tap.redeemed": z.object({ oneTime: z.boolean() }).strict(),
  /** A redemption was refused; `attemptsLeft` when an attempt was counted. */
  "tap.redeem_refused": z
    .object({ detail: Detail, attemptsLeft: z.number().int().optional() })
    .strict(),
  /**
   * Wrong guesses reached the pass's free tries (it now rests between tries) or its cap (void).
   * The user was told; the case shows it to the agent.
   */
  "tap.guessed": z
    .object({
      wrongTries: z.number().int(),
      voided: z.boolean(),
      nextTryAt: z.iso.datetime().optional(),
    })
    .strict(),
  /** A workforce user registered a new passkey: through a pass (tap), an enrolment link, or while signed in with another (passkey). */
  "passkey.enrolled": z
    .object({
      model: z.string().max(100),
      aaguid: z.string().max(40),
      backedUp: z.boolean(),
      transports: z.array(z.string().max(20)).max(10),
      via: z.enum(["tap", "passkey", "link", "code", "key"]),
      revokedPasskeys: z.number().int().optional(),
      /** The passkeys the enrolment link revoked (Shared Signals describes each, decision 034). */
      revokedPasskeyIds: z.array(z.uuid()).max(100).optional(),
    })
    .strict(),
  /** A passkey registration ceremony failed or was refused (challenge, verification, duplicate). */
  "passkey.enrol_refused": z.object({ detail: Detail }).strict(),
  /** The user said a recovery was not them: what the case created was undone and security alerted. */
  "case.repudiated": z
    .object({
      voidedPasses: z.number().int(),
      revokedPasskeys: z.number().int(),
      endedSessions: z.number().int(),
      caseStatus: z.string().max(20),
      voided: Voided.optional(),
    })
    .strict(),
  /** A "this wasn't me" link (about a case or about an added passkey) was refused: unknown, used or expired. */
  "case.repudiation_refused": z.object({ detail: Detail }).strict(),
  /**
   * The user said a passkey added while signed in was not them: it was revoked, their sessions
   * ended, what recovery had issued was voided, their recovery put on hold and security alerted.
   */
  "passkey.repudiated": z
    .object({
      model: z.string().max(100),
      revokedPasskeys: z.number().int(),
      endedSessions: z.number().int(),
      voided: Voided,
    })
    .strict(),
  /** Passkeys were revoked at once; with scope ALL, everything that could still let the user in was voided too. */
  "passkey.revoked": z
    .object({
      scope: z.enum(["ONE", "ALL"]),
      reason: z.enum(RECORDED_REVOCATION_REASONS),
      revokedPasskeys: z.number().int(),
      voidedPasses: z.number().int(),
      voidedLinks: z.number().int(),
      voidedApprovals: z.number().int(),
      endedSessions: z.number().int(),
      /** Revoke-all: the passkeys the staff member confirmed (exactly those revoked; decision 025). */
      confirmedPasskeyIds: z.array(z.uuid()).max(100).optional(),
      /** The passkeys this revocation revoked (Shared Signals describes each, decision 034). */
      passkeyIds: z.array(z.uuid()).max(100).optional(),
    })
    .strict(),
  /** A workforce user signed in to their account with a passkey. */
  "workforce.signed_in": z.object({ model: z.string().max(100) }).strict(),
  /** A workforce passkey sign-in was refused (revoked or unknown credential, bad assertion...). */
  "workforce.sign_in_refused": z.object({ detail: Detail }).strict(),
  /** A signed-in workforce user confirmed it was them ("Confirm it's you": a user-verified assertion). */
  "workforce.reverified": z.object({ model: z.string().max(100) }).strict(),
  /** "Confirm it's you" was refused (another user's or a revoked passkey, no UV, session ended...). */
  "workforce.reverify_refused": z.object({ detail: Detail }).strict(),
  /** An agent asked to re-enrol the user: at once, or waiting for a supervisor (`needReason`). */
  "reenrolment.requested": z
    .object({
      needsApproval: z.boolean(),
      needReason: z.string().max(100),
      revokePasskeys: z.number().int(),
      snapshotHash: z.string().max(64),
      /** Waiting: the staff IDs of the team's supervisors who were mailed (those who may decide it). */
      supervisorsTold: z.array(z.uuid()).max(100).optional(),
    })
    .strict(),
  /** A supervisor approved a re-enrolment; the enrolment link went out in the same transaction. */
  "approval.approved": z
    .object({ snapshotHash: z.string().max(64), reason: z.string().max(500) })
    .strict(),
  /** A supervisor denied a re-enrolment; the case closed. */
  "approval.denied": z.object({ reason: z.string().max(500), voided: Voided.optional() }).strict(),
  /** An approval could not be used: it expired, or what it approved changed (stale). */
  "approval.lapsed": z
    .object({
      why: z.enum(["expired", "stale"]),
      snapshotHash: z.string().max(64),
      /** Expired: whether the agent who asked was mailed (not when they are the one acting). */
      requesterTold: z.boolean().optional(),
    })
    .strict(),
  /** An enrolment link was sent (it opens a passkey registration, once, for a short time). */
  "reenrolment.link_sent": z
    .object({ sentTo: Masked, expiresMinutes: z.number().int(), revokePasskeys: z.number().int() })
    .strict(),
  /** The case was closed; outstanding passes and links were voided. */
  "case.closed": z
    .object({
      closeReason: z.string().max(200),
      voidedPasses: z.number().int(),
      voidedLinks: z.number().int(),
      voided: Voided.optional(),
      userTold: z.boolean().optional(),
    })
    .strict(),
  /** A security reviewer read the audit trail (the filters they used), or verified it. */
  "audit.viewed": z
    .object({ filters: z.record(z.string(), z.string().max(100)), verified: z.boolean() })
    .strict(),
  /** A security reviewer exported the audit trail (the filters and the format). */
  "audit.exported": z
    .object({
      filters: z.record(z.string(), z.string().max(100)),
      format: z.enum(["csv", "jsonl", "ocsf"]),
    })
    .strict(),
  /** A high-risk act was refused because the staff member had not confirmed it's them recently (decision 015). */
  "staff.step_up_required": z
    .object({
      attempted: z.string().max(60),
      path: z.string().max(512),
      /** What the refusal offered: confirm with a passkey, or set one up first. */
      next: z.enum(["confirm", "enrol"]),
      lastVerifiedAt: z.string().max(40).nullable(),
    })
    .strict(),
  /** A staff member confirmed it's them with a staff passkey (user verification): step-up is fresh. */
  "staff.stepped_up": z.object({ passkeyId: z.string().max(64) }).strict(),
  /** A step-up assertion failed (unknown, removed or another person's passkey, no UV, replay). */
  "staff.step_up_refused": z.object({ detail: Detail }).strict(),
  /** A staff member added a staff passkey (their own). */
  "staff.passkey_added": z
    .object({
      aaguid: z.string().max(64),
      backedUp: z.boolean(),
      transports: z.array(z.string().max(20)).max(10),
      via: z.enum(["step-up", "fresh sign-in"]),
    })
    .strict(),
  /** A staff passkey registration failed verification or was refused. */
  "staff.passkey_add_refused": z.object({ detail: Detail }).strict(),
  /** A staff member removed one of their own staff passkeys. */
  "staff.passkey_removed": z.object({ via: z.enum(["step-up", "fresh sign-in"]) }).strict(),
  /** The demo organisation was loaded into an empty database. */
  "system.demo_seeded": z
    .object({ workforceUsers: z.number().int(), staff: z.number().int() })
    .strict(),
  /**
   * The log switched from format v1 (a hash chain) to v2 (signed entries in a Merkle tree): the
   * v1 rows as they stood are sealed into the tree by this event (docs/decisions/017).
   */
  "audit.format_changed": z
    .object({
      from: z.literal(1),
      to: z.literal(2),
      /** Every v1 row, legacy rows (before the chain began) included. */
      v1Rows: z.number().int().min(0),
      chained: z.number().int().min(0),
      firstId: z.string().regex(/^-?\d+$/),
      headId: z.string().regex(/^-?\d+$/),
      headHash: z.string().regex(/^([0-9a-f]{64})?$/),
      /** SHA-256 over every v1 row as it stood (lib/server/seal-v1-log.ts): legacy rows included. */
      v1Digest: z.string().regex(/^[0-9a-f]{64}$/),
      /** The ids of the legacy rows (before the chain; nothing chains them), when few enough. */
      legacyIds: z
        .array(z.string().regex(/^-?\d+$/))
        .max(10_000)
        .optional(),
    })
    .strict(),
  /**
   * A full verification of the audit log finished (npm run audit:verify): its result is itself a
   * signed event, so a planted "intact" cannot pass for one (decision 017).
   */
  "audit.verified": z
    .object({
      ok: z.boolean(),
      rows: z.number().int().min(0),
      size: z.number().int().min(0),
      checkpointSize: z.number().int().min(0).nullable(),
      problemCount: z.number().int().min(0),
      problems: z.array(Detail).max(5),
      /** The checkpoint key's signature over the result (lib/domain/verification-attestation.ts). */
      attestation: z.string().max(100).nullable(),
    })
    .strict(),
  /**
   * A full verification was asked for: by a security reviewer on the audit page, or by the
   * schedule. The verification worker runs it outside the web process; its result is an
   * `audit.verified` event. Refused (CONFLICT) while another is queued or running.
   */
  "audit.verification_requested": z
    .object({
      runId: z.uuid(),
      /** Who asked: a reviewer on the page, or the worker's schedule. */
      via: z.enum(["page", "schedule"]),
    })
    .strict(),
  /**
   * The signer found rows that are not part of the log (planted, altered, removed) or rows outside
   * it, while checkpointing (decision 017). Recorded once per finding.
   */
  "audit.integrity_alert": z
    .object({
      checkpointSize: z.number().int().min(0),
      flagged: z.array(Detail).max(20),
      flaggedCount: z.number().int().min(0),
      gap: Detail.nullable(),
      strayRows: z.number().int().min(0),
    })
    .strict(),
  /**
   * Practice calls (docs/decisions/030): a staff member started a practice run, finished it (its
   * debrief's results), or was refused an act on one. Practice rows never reach the SIEM
   * (reachesExternalStreams, lib/domain/external-streams.ts).
   */
  "practice.started": z
    .object({
      scenarioKey: z.string().max(60),
      scenarioVersion: z.number().int().min(1),
      scenarioHash: z.string().regex(/^[0-9a-f]{64}$/),
      policyVersion: z.number().int(),
    })
    .strict(),
  "practice.finished": z
    .object({
      scenario: z.string().max(80),
      impostor: z.boolean(),
      score: z.number().int().min(0).max(100),
      safe: z.boolean(),
      passed: z.boolean(),
      moves: z.number().int().min(0),
      missedFlags: z.array(z.enum(RED_FLAG_KINDS)).max(10),
    })
    .strict(),
  "practice.refused": z.object({ attempted: z.string().max(40), detail: Detail }).strict(),
  /**
   * A number or address heard on a call was recorded (the caller ID, or one the caller offered),
   * at opening or during the call. Masked: the trail needs to show that one was, not what it was.
   */
  "case.contact_recorded": z
    .object({
      kind: z.enum(CONTACT_KINDS),
      contact: Masked,
      when: z.enum(["opening", "call"]),
    })
    .strict(),
  /**
   * A fraud signal across calls was raised (docs/decisions/031): its rules, its effect, how many
   * calls and people its evidence names. Counts only: the evidence stays with the signal.
   */
  "signal.raised": z
    .object({
      rules: z.array(z.enum(SIGNAL_RULES)).min(1).max(SIGNAL_RULES.length),
      effect: z.enum(SIGNAL_EFFECTS),
      cases: z.number().int().min(0),
      people: z.number().int().min(0),
    })
    .strict(),
  /** New evidence joined an open signal; `effectRaised` when it made the effect stronger. */
  "signal.updated": z
    .object({
      rules: z.array(z.enum(SIGNAL_RULES)).min(1).max(SIGNAL_RULES.length),
      effect: z.enum(SIGNAL_EFFECTS),
      effectRaised: z.boolean(),
      cases: z.number().int().min(0),
      people: z.number().int().min(0),
    })
    .strict(),
  /** A signal's escalation or stop was applied to a case: what the case had issued was voided. */
  "signal.effect_applied": z
    .object({ signalId: z.uuid(), effect: z.enum(["escalate", "stop"]), voided: Voided })
    .strict(),
  /** A security reviewer confirmed a signal (its effect stays) or dismissed it (its effect lifts). */
  "signal.reviewed": z
    .object({
      decision: z.enum(["confirmed", "dismissed"]),
      note: z.string().max(500),
      effect: z.enum(SIGNAL_EFFECTS),
      cases: z.number().int().min(0),
    })
    .strict(),
  /** A review of a signal was refused (no permission, already reviewed, unknown signal). */
  "signal.review_refused": z.object({ detail: Detail }).strict(),
  // Certification and scenario authoring (docs/decisions/032): real staff events, not practice.
  /** A staff member was certified by their passed practice runs (or the demo seed). */
  "certification.granted": z
    .object({
      staffId: z.uuid(),
      expiresAt: z.iso.datetime(),
      policyVersion: z.number().int(),
      basis: z.enum(["practice", "demo"]),
      runIds: z.array(z.uuid()).max(40),
    })
    .strict(),
  /** The staff member was mailed, once, that their certification expires soon. */
  "certification.reminder_sent": z
    .object({ staffId: z.uuid(), expiresAt: z.iso.datetime(), daysLeft: z.number().int() })
    .strict(),
  /** A certification reached its expiry (recorded once by the sweep). */
  "certification.expired": z.object({ staffId: z.uuid(), expiresAt: z.iso.datetime() }).strict(),
  /** A security reviewer added a practice scenario (version 1 of a new key). */
  "scenario.created": z
    .object({
      key: z.string().max(80),
      version: z.number().int().min(1),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      note: Detail,
    })
    .strict(),
  /** A scenario save was refused (it changed meanwhile): nothing was written. */
  "scenario.save_refused": z
    .object({ key: z.string().max(80), baseVersion: z.number().int().min(0), detail: Detail })
    .strict(),
  /** A security reviewer wrote the next version of a scenario (runs keep the version they played). */
  "scenario.revised": z
    .object({
      key: z.string().max(80),
      version: z.number().int().min(2),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      note: Detail,
      previousHash: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .strict(),
  /** A security reviewer added an ITSM webhook endpoint (docs/decisions/035); its secret is never recorded. */
  "webhook.endpoint_added": z
    .object({ endpointId: z.uuid(), name: z.string().max(80), url: z.string().max(500) })
    .strict(),
  /** A security reviewer disabled an ITSM webhook endpoint: nothing more is sent to it. */
  "webhook.endpoint_disabled": z
    .object({ endpointId: z.uuid(), name: z.string().max(80) })
    .strict(),
  /**
   * A security reviewer rotated an endpoint's signing secret (the new one shown once, neither ever
   * recorded); `overlapUntil`: the old one keeps signing beside it until then, or null (stopped now).
   */
  "webhook.secret_rotated": z
    .object({
      endpointId: z.uuid(),
      name: z.string().max(80),
      overlapUntil: z.iso.datetime().nullable(),
    })
    .strict(),
  /** A security reviewer asked for an event given up on to be sent again (one more try). */
  "webhook.resend_requested": z
    .object({
      endpointId: z.uuid(),
      name: z.string().max(80),
      deliveryId: z.uuid(),
      eventType: z.string().max(80),
      position: z.string().regex(/^\d{1,19}$/),
    })
    .strict(),
  /** A change to an endpoint was refused (unknown, disabled, nothing to send again): nothing changed. */
  "webhook.endpoint_refused": z.object({ detail: Detail }).strict(),
  // SCIM provisioning (docs/decisions/033). The actor is the SCIM client (a SYSTEM actor named by its token).
  /** A security reviewer issued a SCIM bearer token (shown once; only its hash is kept). */
  "scim.token_issued": z
    .object({
      name: z.string().max(80),
      prefix: z.string().max(20),
      scopes: z
        .array(z.enum(["users:read", "users:write"]))
        .min(1)
        .max(2),
      expiresAt: z.iso.datetime(),
      /** A rotation: the prefix of the token this one replaces (revoked in the same transaction). */
      replaces: z.string().max(20).optional(),
    })
    .strict(),
  /** A SCIM token was revoked (by a reviewer, or by its rotation). */
  "scim.token_revoked": z.object({ prefix: z.string().max(20) }).strict(),
  /** A SCIM request with a token we hold was refused (expired, revoked, wrong scope) or bad. */
  "scim.request_refused": z
    .object({ status: z.number().int(), scimType: z.string().max(20).optional(), detail: Detail })
    .strict(),
  /** A person joined through SCIM (a new enrolment: no passkey). */
  "scim.user_created": z.object({ employeeId: z.string().max(64), active: z.boolean() }).strict(),
  /** A person's record changed through SCIM: which fields, and how many pending approvals lapsed. */
  "scim.user_changed": z
    .object({
      fields: z.array(z.string().max(40)).max(20),
      lapsedApprovals: z.number().int().min(0),
      /** A raise to a tier that needs a second person voided what was issued without one. */
      voided: Voided.optional(),
    })
    .strict(),
  // Self-service on /account (docs/decisions/036). The actor is the person, signed in with a passkey.
  /** The person gave one of their passkeys a name (or cleared it). */
  "account.passkey_renamed": z.object({ model: z.string().max(100), named: z.boolean() }).strict(),
  /** The person removed one of their passkeys (after confirming it's them); `last`: it was their last. */
  "account.passkey_removed": z
    .object({
      model: z.string().max(100),
      last: z.boolean(),
      /** The passkey removed (Shared Signals describes it, decision 034). */
      passkeyIds: z.array(z.uuid()).max(100),
      endedSessions: z.number().int(),
    })
    .strict(),
  /** The person reported the device holding a passkey lost: revoked at once (LOST), every session ended. */
  "account.passkey_reported_lost": z
    .object({
      model: z.string().max(100),
      last: z.boolean(),
      reason: z.enum(REVOCATION_REASONS),
      passkeyIds: z.array(z.uuid()).max(100),
      endedSessions: z.number().int(),
    })
    .strict(),
  /** The person signed out everywhere: every session of theirs ended, this one included. */
  "account.signed_out_everywhere": z.object({ endedSessions: z.number().int() }).strict(),
  /** A change on /account was refused (not signed in, not their passkey, stale verification, unconfirmed last passkey). */
  "account.change_refused": z.object({ detail: Detail }).strict(),
  /**
   * The person said a change made on /account was not them: every session ended, what recovery
   * had issued was voided, their recovery put on hold and security alerted.
   */
  "account.change_repudiated": z
    .object({
      change: z.enum(ACCOUNT_CHANGES),
      endedSessions: z.number().int(),
      voided: Voided,
    })
    .strict(),
  // Passkey rollout: waves and nudge campaigns (issue 15, part C; docs/decisions/038).
  /** A security reviewer defined a rollout wave. */
  "wave.created": RolloutWave,
  /** A security reviewer changed a wave's scope, dates or name (the wave as it is now). */
  "wave.changed": RolloutWave,
  /** A security reviewer retired a wave: it takes nobody any more. */
  "wave.retired": z.object({ waveId: z.uuid(), name: z.string().max(80) }).strict(),
  /** A wave change was refused (unknown, retired): nothing changed. */
  "wave.refused": z.object({ detail: Detail }).strict(),
  /** A security reviewer started a nudge campaign for a wave or a risk tier. */
  "nudge.campaign_started": z
    .object({
      campaignId: z.uuid(),
      waveId: z.uuid().nullable(),
      tier: z.enum(RISK_TIERS).nullable(),
      ratePerHour: z.number().int(),
      resendDays: z.number().int(),
      atRiskAtStart: z.number().int().min(0),
    })
    .strict(),
  /** A security reviewer stopped a running campaign: nothing more is mailed. */
  "nudge.campaign_stopped": z.object({ campaignId: z.uuid(), mailed: z.number().int() }).strict(),
  /** The campaign job found nobody in scope at risk any more: the campaign is done. */
  "nudge.campaign_completed": z.object({ campaignId: z.uuid(), mailed: z.number().int() }).strict(),
  /** The campaign job mailed a round of people at risk (counts only; the mails name them). */
  "nudge.mailed": z
    .object({ campaignId: z.uuid(), mailed: z.number().int().min(1), atRisk: z.number().int() })
    .strict(),
  /** Starting or stopping a campaign was refused: nothing changed. */
  "nudge.campaign_refused": z.object({ detail: Detail }).strict(),
  // Recovery codes (issue 15, part B; docs/decisions/037). The codes are never recorded.
  /** A person made a new set of recovery codes on /account; `replaced`: an older set was live. */
  "codes.generated": z
    .object({ codes: z.number().int().min(1).max(20), replaced: z.boolean() })
    .strict(),
  /** Making a set was refused (tier, not freshly verified, on hold...). */
  "codes.generate_refused": z.object({ detail: Detail }).strict(),
  /**
   * A recovery code was used: its self-service case is verified and the factor issued (a short
   * session that may enrol one passkey and mark passkeys lost). Shared Signals: recovery-activated.
   */
  "codes.redeemed": z.object({ codesLeft: z.number().int().min(0) }).strict(),
  /** A recovery code was refused: wrong, used, a tier that may not use codes, a stop or hold. */
  "codes.redeem_refused": z
    .object({
      detail: Detail,
      /** Wrong codes left before the set is void (a wrong code against a live set). */
      attemptsLeft: z.number().int().optional(),
      setVoided: z.boolean().optional(),
    })
    .strict(),
  // Security keys and break-glass accounts (issue 15, part D; docs/decisions/039).
  /** A security reviewer added a hardware security key to the inventory. */
  "securitykey.added": z
    .object({
      keyId: z.uuid(),
      serial: z.string().max(40),
      model: z.string().max(100),
      aaguid: z.string().max(40),
    })
    .strict(),
  /** A key was issued at the desk from a verified walk-in case: it enrolled the person's passkey. */
  "securitykey.issued": z
    .object({ keyId: z.uuid(), serial: z.string().max(40), passkeyId: z.uuid() })
    .strict(),
  /** A key came back: its passkey was revoked (the passkey.revoked row beside it). */
  "securitykey.returned": z
    .object({ keyId: z.uuid(), serial: z.string().max(40), revokedPasskeys: z.number().int() })
    .strict(),
  /** A key was reported lost: its passkey was revoked with reason LOST. */
  "securitykey.lost": z
    .object({ keyId: z.uuid(), serial: z.string().max(40), revokedPasskeys: z.number().int() })
    .strict(),
  /** A key in stock or returned was taken out of service. */
  "securitykey.retired": z.object({ keyId: z.uuid(), serial: z.string().max(40) }).strict(),
  /** A change to the inventory was refused (bad input, a duplicate serial, a key in the wrong state). */
  "securitykey.refused": z.object({ attempted: z.string().max(40), detail: Detail }).strict(),
  /** A security reviewer marked a person's account as break-glass, or cleared the mark. */
  "breakglass.changed": z
    .object({
      breakGlass: z.boolean(),
      reason: Detail,
      /** What the person's recoveries had issued, voided: the quorum they need changed. */
      voided: Voided.optional(),
    })
    .strict(),
  /** A security reviewer declared a planned test: a sign-in before `until` is recorded as a test. */
  "breakglass.test_declared": z.object({ until: z.iso.datetime() }).strict(),
  /** A break-glass account signed in with a passkey: a declared test, or an incident (alerted). */
  "breakglass.signed_in": z
    .object({
      kind: z.enum(["test", "incident"]),
      model: z.string().max(100),
      /** Absent for a sign-in (as every event before it was added); set for a case's proof step. */
      use: z.literal("case proof").optional(),
    })
    .strict(),
  /** One approver's part of a break-glass recovery's approval; `missing` says who is still needed. */
  "approval.vote_recorded": z
    .object({
      role: z.enum(STAFF_ROLES),
      missing: z.array(z.string().max(60)).max(4),
      reason: z.string().max(500),
    })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export type AuditPayload<A extends AuditAction> = z.input<(typeof AUDIT_ACTIONS)[A]>;

export const AUDIT_OUTCOMES = ["ALLOWED", "REFUSED"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export function parseAuditPayload<A extends AuditAction>(action: A, data: AuditPayload<A>) {
  return AUDIT_ACTIONS[action].parse(data) as z.output<(typeof AUDIT_ACTIONS)[A]>;
}
