/**
 * Shared Signals (docs/decisions/034-shared-signals.md): which audited decisions become Security
 * Event Tokens for receivers, and what each event says. Pure: the deliverer reads the audit row
 * and the facts the mapping needs (the subject's address, the revoked passkeys) and signs what
 * this returns.
 *
 * Event types: CAEP credential-change and session-revoked, RISC account-disabled,
 * credential-compromise and recovery-activated. Practice calls never become events. Refusals
 * become none either, except that a stop recorded as a refusal (a failed check, the person asked
 * saying no) tells receivers about the sessions it ended: those sessions did end.
 *
 * Every decision that ended sessions sends session-revoked: the ones that say so themselves
 * (`endedSessions`), and every stop whose voiding ended a redeemed pass's or recovery code's
 * session (`voided`: closing a case, a red flag, a failed check, a denial, a risk signal, a tier
 * raise, break-glass), a new pass that replaced a redeemed one (`endedSessions`), with the reason
 * below or, for a stop added later, a general one.
 */
import { reachesExternalStreams } from "../external-streams";

export const SSF_EVENT_TYPES = {
  credentialChange: "https://schemas.openid.net/secevent/caep/event-type/credential-change",
  sessionRevoked: "https://schemas.openid.net/secevent/caep/event-type/session-revoked",
  accountDisabled: "https://schemas.openid.net/secevent/risc/event-type/account-disabled",
  credentialCompromise: "https://schemas.openid.net/secevent/risc/event-type/credential-compromise",
  recoveryActivated: "https://schemas.openid.net/secevent/risc/event-type/recovery-activated",
  verification: "https://schemas.openid.net/secevent/ssf/event-type/verification",
} as const;

/** The event types a stream may ask for (the verification event is always delivered). */
export const SUPPORTED_EVENT_TYPES: readonly string[] = [
  SSF_EVENT_TYPES.credentialChange,
  SSF_EVENT_TYPES.sessionRevoked,
  SSF_EVENT_TYPES.accountDisabled,
  SSF_EVENT_TYPES.credentialCompromise,
  SSF_EVENT_TYPES.recoveryActivated,
];

/** What the deliverer knows of an audit row (the columns the mapping reads). */
export type AuditFacts = {
  action: string;
  outcome: "ALLOWED" | "REFUSED";
  actorType: string;
  subjectUserId: string | null;
  targetType: string | null;
  targetId: string | null;
  createdAt: Date;
  data: Record<string, unknown>;
};

/** A passkey as the credential-change event describes it. */
export type PasskeyFacts = {
  id: string;
  aaguid: string;
  modelName: string | null;
  backedUp: boolean;
  transports: readonly string[];
};

export type InitiatingEntity = "admin" | "user" | "policy" | "system";

/** One event about one person: its type and its claims (the SET's `events` member). */
export type SsfEvent = {
  userId: string;
  type: string;
  claims: Record<string, unknown>;
};

/**
 * A synced (backed-up) passkey, or one reached through the platform ("internal", "hybrid"), is a
 * platform credential; a security key (usb, nfc, ble only) is roaming.
 */
export function credentialType(passkey: Pick<PasskeyFacts, "backedUp" | "transports">) {
  if (passkey.backedUp) return "fido2-platform";
  const roaming = ["usb", "nfc", "ble"];
  if (passkey.transports.length > 0 && passkey.transports.every((t) => roaming.includes(t)))
    return "fido2-roaming";
  return passkey.transports.includes("internal") || passkey.transports.includes("hybrid")
    ? "fido2-platform"
    : "fido2-roaming";
}

/** Who set the event off: staff are administrators, the person is the user, the console itself is the system. */
export function initiatingEntity(actorType: string): InitiatingEntity {
  if (actorType === "STAFF") return "admin";
  if (actorType === "WORKFORCE_USER") return "user";
  return "system";
}

const REVOCATION_REASON_TEXT: Record<string, string> = {
  LOST: "Passkey revoked: device reported lost",
  STOLEN: "Passkey revoked: device reported stolen",
  LEAVER: "Passkey revoked: the person left",
  SUSPECTED_COMPROMISE: "Passkey revoked: suspected compromise",
  RETURNED: "Passkey revoked: security key returned",
};

const admin = (text: string) => ({ en: text });

/** Why sessions ended, for the stops whose only event is session-revoked. */
const STOP_REASON_TEXT: Record<string, string> = {
  "case.closed": "Recovery case closed",
  "case.red_flag_raised": "Red flag raised on a recovery",
  "step.recorded": "A verification check failed; the recovery stopped",
  "step.answered": "The person asked said no; the recovery is on hold",
  "approval.denied": "A supervisor denied the recovery",
  "signal.effect_applied": "A risk signal stopped the recovery",
  "breakglass.changed": "Break-glass status changed; the recovery stopped",
  "scim.user_changed": "Risk tier raised; recovery issued without a second person was voided",
  "tap.issued": "A new pass replaced one already redeemed",
};
const STOPPED = "Recovery stopped";

const count = (value: unknown) => (typeof value === "number" && value > 0 ? value : 0);

/**
 * The sessions a decision ended, as its row records them: `endedSessions` where the decision
 * counts every session it ended itself (voiding's included), else the sessions its voiding ended.
 */
export function sessionsEndedIn(data: Record<string, unknown>): number {
  if (typeof data.endedSessions === "number") return count(data.endedSessions);
  const voided = data.voided;
  if (!voided || typeof voided !== "object" || Array.isArray(voided)) return 0;
  const v = voided as Record<string, unknown>;
  return count(v.passSessions) + count(v.codeSessions);
}

function credentialClaims(passkey: PasskeyFacts, changeType: "create" | "revoke") {
  return {
    credential_type: credentialType(passkey),
    change_type: changeType,
    fido2_aaguid: passkey.aaguid,
    ...(passkey.modelName ? { friendly_name: passkey.modelName } : {}),
  };
}

const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/**
 * The events an audited decision sends, in the order a receiver should apply them, or none.
 * `passkeys` holds the passkeys the row names (revocations), found by id.
 */
export function eventsForAudit(
  row: AuditFacts,
  passkeys: ReadonlyMap<string, PasskeyFacts>,
): SsfEvent[] {
  if (!reachesExternalStreams(row.action) || !row.subjectUserId) return [];
  const userId = row.subjectUserId;
  const timestamp = { event_timestamp: Math.floor(row.createdAt.getTime() / 1000) };
  const data = row.data;
  // CAEP events carry initiating_entity and reason_admin; RISC defines reason_admin (and a
  // timestamp) only for credential-compromise, so the other RISC events carry neither.
  const event = (type: string, claims: Record<string, unknown>): SsfEvent => {
    if (type === SSF_EVENT_TYPES.credentialCompromise)
      return { userId, type, claims: { ...claims, ...timestamp } };
    if (type.includes("/risc/")) return { userId, type, claims: {} };
    return {
      userId,
      type,
      claims: { ...claims, ...timestamp, initiating_entity: initiatingEntity(row.actorType) },
    };
  };
  const sessionsEnded = (why: string) =>
    sessionsEndedIn(data) > 0
      ? [event(SSF_EVENT_TYPES.sessionRevoked, { reason_admin: admin(why) })]
      : [];
  if (row.outcome !== "ALLOWED") return sessionsEnded(STOP_REASON_TEXT[row.action] ?? STOPPED);

  switch (row.action) {
    case "passkey.enrolled": {
      const passkey: PasskeyFacts = {
        id: row.targetId ?? "",
        aaguid: String(data.aaguid ?? ""),
        modelName: typeof data.model === "string" ? data.model : null,
        backedUp: data.backedUp === true,
        transports: asStrings(data.transports),
      };
      const events: SsfEvent[] = [];
      // A pass redeemed announced the recovery already; an enrolment link is used right here.
      if (data.via === "link")
        events.push(
          event(SSF_EVENT_TYPES.recoveryActivated, {
            reason_admin: admin("Enrolment link used to register a passkey"),
          }),
        );
      events.push(
        event(SSF_EVENT_TYPES.credentialChange, {
          ...credentialClaims(passkey, "create"),
          reason_admin: admin(
            data.via === "passkey"
              ? "Passkey added while signed in"
              : "Passkey registered through recovery",
          ),
        }),
      );
      // The passkeys the recovery replaced, revoked in the same transaction.
      for (const id of asStrings(data.revokedPasskeyIds)) {
        const old = passkeys.get(id);
        if (old)
          events.push(
            event(SSF_EVENT_TYPES.credentialChange, {
              ...credentialClaims(old, "revoke"),
              reason_admin: admin("Passkey replaced through recovery"),
            }),
          );
      }
      return events;
    }
    case "passkey.revoked": {
      const reason = String(data.reason ?? "");
      const ids = asStrings(data.passkeyIds ?? data.confirmedPasskeyIds);
      if (ids.length === 0 && row.targetType === "passkey" && row.targetId) ids.push(row.targetId);
      const why = REVOCATION_REASON_TEXT[reason] ?? "Passkey revoked";
      const events: SsfEvent[] = [];
      for (const id of ids) {
        const passkey = passkeys.get(id);
        if (!passkey) continue;
        events.push(
          event(SSF_EVENT_TYPES.credentialChange, {
            ...credentialClaims(passkey, "revoke"),
            reason_admin: admin(why),
          }),
        );
        if (reason === "STOLEN")
          events.push(
            event(SSF_EVENT_TYPES.credentialCompromise, {
              credential_type: credentialType(passkey),
              reason_admin: admin("The device holding this passkey was reported stolen"),
            }),
          );
      }
      return [...events, ...sessionsEnded(why)];
    }
    case "passkey.repudiated": {
      const passkey = row.targetId ? passkeys.get(row.targetId) : undefined;
      const why = "The person said a passkey added to their account was not theirs";
      return [
        ...(passkey
          ? [
              event(SSF_EVENT_TYPES.credentialChange, {
                ...credentialClaims(passkey, "revoke"),
                reason_admin: admin(why),
              }),
            ]
          : []),
        ...sessionsEnded(why),
      ];
    }
    case "case.repudiated":
      return sessionsEnded("The person said a recovery was not theirs");
    case "tap.redeemed":
      return [
        event(SSF_EVENT_TYPES.recoveryActivated, {
          reason_admin: admin("Temporary access pass redeemed"),
        }),
      ];
    case "codes.redeemed":
      return [
        event(SSF_EVENT_TYPES.recoveryActivated, {
          reason_admin: admin("Recovery code used"),
        }),
      ];
    case "workforce.status_changed": {
      if (data.to !== "LEFT" && data.to !== "SUSPENDED") return [];
      const why = data.to === "LEFT" ? "The person left" : "Access suspended";
      return [
        event(SSF_EVENT_TYPES.accountDisabled, { reason_admin: admin(why) }),
        ...sessionsEnded(why),
      ];
    }
    // Self-service on /account (docs/decisions/036): the person took a way in away themselves.
    case "account.passkey_removed":
    case "account.passkey_reported_lost": {
      const lost = row.action === "account.passkey_reported_lost";
      const why = lost ? REVOCATION_REASON_TEXT.LOST! : "Passkey removed by its owner";
      const events: SsfEvent[] = [];
      for (const id of asStrings(data.passkeyIds)) {
        const passkey = passkeys.get(id);
        if (passkey)
          events.push(
            event(SSF_EVENT_TYPES.credentialChange, {
              ...credentialClaims(passkey, "revoke"),
              reason_admin: admin(why),
            }),
          );
      }
      return [...events, ...sessionsEnded(why)];
    }
    case "account.signed_out_everywhere":
      return sessionsEnded("The person signed out everywhere");
    case "account.change_repudiated":
      return sessionsEnded("The person said a change to their account was not theirs");
    default:
      return sessionsEnded(STOP_REASON_TEXT[row.action] ?? STOPPED);
  }
}

/** The passkey ids a row's events need looked up (revocations and repudiations). */
export function passkeyIdsFor(row: AuditFacts): string[] {
  if (row.action === "passkey.revoked") {
    const ids = asStrings(row.data.passkeyIds ?? row.data.confirmedPasskeyIds);
    if (ids.length === 0 && row.targetType === "passkey" && row.targetId) return [row.targetId];
    return ids;
  }
  if (row.action === "passkey.repudiated" && row.targetId) return [row.targetId];
  if (row.action === "passkey.enrolled") return asStrings(row.data.revokedPasskeyIds);
  if (row.action === "account.passkey_removed" || row.action === "account.passkey_reported_lost")
    return asStrings(row.data.passkeyIds);
  return [];
}

/** Whether a stream asked for this event type (none asked: every supported type). */
export function streamWants(eventsRequested: readonly string[], type: string): boolean {
  if (type === SSF_EVENT_TYPES.verification) return true;
  return eventsRequested.length === 0 ? true : eventsRequested.includes(type);
}

/** The subject as RFC 9493 names it: the person's primary address, else the issuer and their id. */
export function subjectId(issuer: string, userId: string, email: string | null) {
  return email ? { format: "email", email } : { format: "iss_sub", iss: issuer, sub: userId };
}
