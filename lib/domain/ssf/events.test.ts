import { describe, expect, it } from "vitest";
import {
  credentialType,
  eventsForAudit,
  initiatingEntity,
  passkeyIdsFor,
  sessionsEndedIn,
  SSF_EVENT_TYPES,
  streamWants,
  subjectId,
  type AuditFacts,
  type PasskeyFacts,
} from "./events";

const at = new Date("2026-11-24T10:00:00Z");
const row = (overrides: Partial<AuditFacts>): AuditFacts => ({
  action: "passkey.revoked",
  outcome: "ALLOWED",
  actorType: "STAFF",
  subjectUserId: "u1",
  targetType: "passkey",
  targetId: "p1",
  createdAt: at,
  data: {},
  ...overrides,
});
const phone: PasskeyFacts = {
  id: "p1",
  aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
  modelName: "iCloud Keychain",
  backedUp: true,
  transports: ["internal", "hybrid"],
};
const key: PasskeyFacts = {
  id: "p2",
  aaguid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
  modelName: "YubiKey 5",
  backedUp: false,
  transports: ["usb", "nfc"],
};
const passkeys = new Map([
  ["p1", phone],
  ["p2", key],
]);

describe("credentialType", () => {
  it("calls a synced or platform passkey fido2-platform and a security key fido2-roaming", () => {
    expect(credentialType(phone)).toBe("fido2-platform");
    expect(credentialType(key)).toBe("fido2-roaming");
    expect(credentialType({ backedUp: false, transports: ["internal"] })).toBe("fido2-platform");
    expect(credentialType({ backedUp: false, transports: [] })).toBe("fido2-roaming");
  });
});

describe("initiatingEntity", () => {
  it("maps staff to admin, the person to user and the console to system", () => {
    expect(initiatingEntity("STAFF")).toBe("admin");
    expect(initiatingEntity("WORKFORCE_USER")).toBe("user");
    expect(initiatingEntity("SYSTEM")).toBe("system");
  });
});

describe("eventsForAudit", () => {
  it("describes a stolen device as a revoked credential, a compromise with reason_admin, and the ended sessions", () => {
    const events = eventsForAudit(
      row({ data: { reason: "STOLEN", endedSessions: 2, passkeyIds: ["p1"] } }),
      passkeys,
    );
    expect(events.map((e) => e.type)).toEqual([
      SSF_EVENT_TYPES.credentialChange,
      SSF_EVENT_TYPES.credentialCompromise,
      SSF_EVENT_TYPES.sessionRevoked,
    ]);
    expect(events[0]!.claims).toEqual({
      credential_type: "fido2-platform",
      change_type: "revoke",
      fido2_aaguid: phone.aaguid,
      friendly_name: "iCloud Keychain",
      reason_admin: { en: "Passkey revoked: device reported stolen" },
      event_timestamp: at.getTime() / 1000,
      initiating_entity: "admin",
    });
    expect(events[1]!.claims).toMatchObject({
      credential_type: "fido2-platform",
      reason_admin: { en: expect.stringMatching(/stolen/) },
    });
    expect(events.every((e) => e.userId === "u1")).toBe(true);
  });

  it("sends one credential-change per passkey revoked at once", () => {
    const events = eventsForAudit(
      row({
        targetType: "user",
        targetId: "u1",
        data: { scope: "ALL", reason: "LOST", endedSessions: 0, passkeyIds: ["p1", "p2"] },
      }),
      passkeys,
    );
    expect(events.map((e) => e.claims.credential_type)).toEqual([
      "fido2-platform",
      "fido2-roaming",
    ]);
  });

  it("describes a new passkey as a credential created by the user, and a used enrolment link as a recovery", () => {
    const events = eventsForAudit(
      row({
        action: "passkey.enrolled",
        actorType: "WORKFORCE_USER",
        targetId: "cred",
        data: {
          model: "YubiKey 5",
          aaguid: key.aaguid,
          backedUp: false,
          transports: ["usb"],
          via: "link",
        },
      }),
      passkeys,
    );
    expect(events.map((e) => e.type)).toEqual([
      SSF_EVENT_TYPES.recoveryActivated,
      SSF_EVENT_TYPES.credentialChange,
    ]);
    expect(events[1]!.claims).toMatchObject({
      change_type: "create",
      credential_type: "fido2-roaming",
      fido2_aaguid: key.aaguid,
      friendly_name: "YubiKey 5",
      initiating_entity: "user",
    });
  });

  it("describes the passkeys an enrolment link replaced as revoked, after the new one", () => {
    const events = eventsForAudit(
      row({
        action: "passkey.enrolled",
        actorType: "WORKFORCE_USER",
        targetId: "cred",
        data: {
          model: "YubiKey 5",
          aaguid: key.aaguid,
          backedUp: false,
          transports: ["usb"],
          via: "link",
          revokedPasskeys: 1,
          revokedPasskeyIds: ["p1"],
        },
      }),
      passkeys,
    );
    expect(events.map((e) => [e.type, e.claims.change_type, e.claims.fido2_aaguid])).toEqual([
      [SSF_EVENT_TYPES.recoveryActivated, undefined, undefined],
      [SSF_EVENT_TYPES.credentialChange, "create", key.aaguid],
      [SSF_EVENT_TYPES.credentialChange, "revoke", phone.aaguid],
    ]);
  });

  it("sends a recovery for a redeemed pass and a disabled account for a leaver or a suspension, with RISC's fields only", () => {
    expect(
      eventsForAudit(row({ action: "tap.redeemed", data: { oneTime: true } }), passkeys),
    ).toEqual([{ userId: "u1", type: SSF_EVENT_TYPES.recoveryActivated, claims: {} }]);
    const left = eventsForAudit(
      row({
        action: "workforce.status_changed",
        actorType: "SYSTEM",
        data: { from: "ACTIVE", to: "LEFT", endedSessions: 1 },
      }),
      passkeys,
    );
    expect(left.map((e) => e.type)).toEqual([
      SSF_EVENT_TYPES.accountDisabled,
      SSF_EVENT_TYPES.sessionRevoked,
    ]);
    expect(left[1]!.claims.initiating_entity).toBe("system");
    expect(
      eventsForAudit(
        row({ action: "workforce.status_changed", data: { from: "SUSPENDED", to: "ACTIVE" } }),
        passkeys,
      ),
    ).toEqual([]);
  });

  it("never sends a refusal, a practice call or an event without a person", () => {
    expect(
      eventsForAudit(
        row({ outcome: "REFUSED", data: { reason: "STOLEN", passkeyIds: ["p1"] } }),
        passkeys,
      ),
    ).toEqual([]);
    expect(eventsForAudit(row({ action: "practice.finished" }), passkeys)).toEqual([]);
    expect(
      eventsForAudit(row({ subjectUserId: null, data: { passkeyIds: ["p1"] } }), passkeys),
    ).toEqual([]);
    expect(eventsForAudit(row({ action: "audit.viewed" }), passkeys)).toEqual([]);
  });
});

describe("every ended session (decision 034, amended)", () => {
  const voided = (passSessions: number, codeSessions = 0) => ({
    passes: 1,
    passSessions,
    codeSessions,
    enrolmentLinks: 0,
    stepLinks: 0,
    approvals: 0,
    challenges: 0,
  });

  it("counts endedSessions where a row has it (voiding's included), else the voided pass and code sessions", () => {
    expect(sessionsEndedIn({ endedSessions: 2, voided: voided(1) })).toBe(2);
    expect(sessionsEndedIn({ endedSessions: 0, voided: voided(1) })).toBe(0);
    expect(sessionsEndedIn({ voided: voided(1, 1) })).toBe(2);
    expect(sessionsEndedIn({ voided: voided(0) })).toBe(0);
    expect(sessionsEndedIn({})).toBe(0);
    expect(sessionsEndedIn({ voided: [1, 2] })).toBe(0);
    expect(sessionsEndedIn({ voided: { passSessions: "3" } })).toBe(0);
  });

  it("sends session-revoked for every stop whose voiding ended a session, with the stop's reason", () => {
    const stops: [action: string, why: string][] = [
      ["case.closed", "Recovery case closed"],
      ["case.red_flag_raised", "Red flag raised on a recovery"],
      ["approval.denied", "A supervisor denied the recovery"],
      ["signal.effect_applied", "A risk signal stopped the recovery"],
      ["breakglass.changed", "Break-glass status changed; the recovery stopped"],
      ["scim.user_changed", "Risk tier raised; recovery issued without a second person was voided"],
      ["tap.issued", "A new pass replaced one already redeemed"],
      ["some.future_stop", "Recovery stopped"],
    ];
    for (const [action, why] of stops) {
      expect(
        eventsForAudit(row({ action, targetType: "case", data: { voided: voided(1) } }), passkeys),
      ).toEqual([
        {
          userId: "u1",
          type: SSF_EVENT_TYPES.sessionRevoked,
          claims: {
            reason_admin: { en: why },
            event_timestamp: at.getTime() / 1000,
            initiating_entity: "admin",
          },
        },
      ]);
      // Nothing ended: nothing to tell.
      expect(
        eventsForAudit(row({ action, targetType: "case", data: { voided: voided(0) } }), passkeys),
      ).toEqual([]);
    }
  });

  it("lets a stop recorded as a refusal (a failed check, the manager's no) send the sessions it ended, and nothing else", () => {
    const failed = eventsForAudit(
      row({
        action: "step.recorded",
        outcome: "REFUSED",
        targetType: "case",
        data: { step: "CALLBACK", outcome: "FAILED", voided: voided(0, 1) },
      }),
      passkeys,
    );
    expect(failed.map((e) => [e.type, e.claims.reason_admin])).toEqual([
      [SSF_EVENT_TYPES.sessionRevoked, { en: "A verification check failed; the recovery stopped" }],
    ]);
    const denied = eventsForAudit(
      row({
        action: "step.answered",
        outcome: "REFUSED",
        actorType: "WORKFORCE_USER",
        targetType: "case",
        data: { step: "MANAGER_CONFIRMATION", voided: voided(1), hold: true },
      }),
      passkeys,
    );
    expect(denied.map((e) => [e.type, e.claims.initiating_entity])).toEqual([
      [SSF_EVENT_TYPES.sessionRevoked, "user"],
    ]);
    // A refused revocation that names passkeys still describes none of them.
    expect(
      eventsForAudit(
        row({
          outcome: "REFUSED",
          data: { reason: "STOLEN", passkeyIds: ["p1"], voided: voided(0) },
        }),
        passkeys,
      ),
    ).toEqual([]);
    // Practice calls stay inside the console whatever they record.
    expect(
      eventsForAudit(row({ action: "practice.finished", data: { voided: voided(1) } }), passkeys),
    ).toEqual([]);
  });
});

describe("streamWants and subjectId", () => {
  it("delivers what a stream asked for (everything when it asked for nothing), verification always", () => {
    expect(streamWants([], SSF_EVENT_TYPES.credentialChange)).toBe(true);
    expect(streamWants([SSF_EVENT_TYPES.sessionRevoked], SSF_EVENT_TYPES.credentialChange)).toBe(
      false,
    );
    expect(streamWants([SSF_EVENT_TYPES.sessionRevoked], SSF_EVENT_TYPES.verification)).toBe(true);
  });

  it("names the person by their address, else by issuer and id", () => {
    expect(subjectId("https://c", "u1", "a@example.com")).toEqual({
      format: "email",
      email: "a@example.com",
    });
    expect(subjectId("https://c", "u1", null)).toEqual({
      format: "iss_sub",
      iss: "https://c",
      sub: "u1",
    });
  });
});

describe("self-service on /account (decision 036)", () => {
  it("describes a removal as a credential-change revoke by the user, with no session event when none ended", () => {
    const removed = row({
      action: "account.passkey_removed",
      actorType: "WORKFORCE_USER",
      data: { model: "YubiKey 5", last: false, passkeyIds: ["p2"], endedSessions: 0 },
    });
    expect(passkeyIdsFor(removed)).toEqual(["p2"]);
    const events = eventsForAudit(removed, passkeys);
    expect(events).toEqual([
      {
        userId: "u1",
        type: SSF_EVENT_TYPES.credentialChange,
        claims: {
          credential_type: "fido2-roaming",
          change_type: "revoke",
          fido2_aaguid: key.aaguid,
          friendly_name: "YubiKey 5",
          reason_admin: { en: "Passkey removed by its owner" },
          event_timestamp: at.getTime() / 1000,
          initiating_entity: "user",
        },
      },
    ]);
  });

  it("describes a lost report as a revoke for loss, then the sessions it ended, and never a compromise", () => {
    const lost = row({
      action: "account.passkey_reported_lost",
      actorType: "WORKFORCE_USER",
      data: {
        model: "iCloud Keychain",
        last: false,
        reason: "LOST",
        passkeyIds: ["p1"],
        endedSessions: 3,
      },
    });
    expect(passkeyIdsFor(lost)).toEqual(["p1"]);
    const events = eventsForAudit(lost, passkeys);
    expect(events.map((e) => [e.type, e.claims.change_type, e.claims.initiating_entity])).toEqual([
      [SSF_EVENT_TYPES.credentialChange, "revoke", "user"],
      [SSF_EVENT_TYPES.sessionRevoked, undefined, "user"],
    ]);
    expect(events[0]!.claims.reason_admin).toEqual({ en: "Passkey revoked: device reported lost" });
  });

  it("describes signing out everywhere as session-revoked, and sends nothing for a rename or a refusal", () => {
    const out = eventsForAudit(
      row({
        action: "account.signed_out_everywhere",
        actorType: "WORKFORCE_USER",
        targetType: "user",
        targetId: "u1",
        data: { endedSessions: 2 },
      }),
      passkeys,
    );
    expect(out).toEqual([
      {
        userId: "u1",
        type: SSF_EVENT_TYPES.sessionRevoked,
        claims: {
          reason_admin: { en: "The person signed out everywhere" },
          event_timestamp: at.getTime() / 1000,
          initiating_entity: "user",
        },
      },
    ]);
    expect(
      eventsForAudit(
        row({ action: "account.passkey_renamed", data: { model: "x", named: true } }),
        passkeys,
      ),
    ).toEqual([]);
    expect(
      eventsForAudit(
        row({
          action: "account.passkey_removed",
          outcome: "REFUSED",
          data: { passkeyIds: ["p1"] },
        }),
        passkeys,
      ),
    ).toEqual([]);
  });
});
