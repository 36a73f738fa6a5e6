/**
 * Every action in the closed list becomes an OCSF event that the compiled OCSF 1.9.0-dev schema
 * accepts (docs/decisions/018-ocsf-events.md), with the ids, captions and requirements the
 * vendored OCSF source gives, and nothing but what the audit event said.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, parseAuditPayload, type AuditAction } from "./audit-actions";
import {
  CONSOLE_VERSION,
  OCSF_CLASSES,
  OCSF_RULES,
  OCSF_VERSION,
  toOcsf,
  type StoredAuditEvent,
} from "./ocsf";
import {
  AUDIT_PAYLOAD_EXAMPLES as PAYLOADS,
  ocsfErrors as errors,
  validateOcsf,
} from "@/tests/ocsf";
import schema from "./ocsf-schema.json";

const root = path.resolve(import.meta.dirname, "../..");
const vendored = (file: string) =>
  JSON.parse(readFileSync(path.join(root, "vendor/ocsf-schema-1.9.0-dev", file), "utf8")) as Record<
    string,
    unknown
  > & { attributes: Record<string, { enum?: Record<string, { caption: string }> }> };

const STAFF_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const USER_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const CASE_ID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

function storedEvent(action: AuditAction, outcome: "ALLOWED" | "REFUSED"): StoredAuditEvent {
  const workforce = action.startsWith("workforce.") || action.startsWith("tap.redeem");
  const anonymous = action === "staff.sign_in_refused" || action === "workforce.sign_in_refused";
  return {
    id: 4711n,
    createdAt: new Date("2026-11-24T09:30:15.123Z"),
    action,
    outcome,
    reason: outcome === "REFUSED" ? "NOT_ALLOWED" : null,
    actorType: anonymous ? "ANONYMOUS" : workforce ? "WORKFORCE_USER" : "STAFF",
    actorId: anonymous ? null : workforce ? USER_ID : STAFF_ID,
    actorName: anonymous ? "anonymous" : workforce ? "Jo Example" : "Alex Agent",
    actorRole: anonymous || workforce ? null : "AGENT",
    targetType: action.startsWith("approval.") ? "approval" : "case",
    targetId: CASE_ID,
    subjectUserId: action.startsWith("staff.") || anonymous ? null : USER_ID,
    caseId: action.startsWith("staff.") ? null : CASE_ID,
    requestId: "req-1",
    ip: "203.0.113.7",
    data: parseAuditPayload(action, PAYLOADS[action]),
    formatVersion: 1,
  };
}

const ACTIONS = Object.keys(AUDIT_ACTIONS) as AuditAction[];
const defs = schema.$defs as Record<string, { required?: string[] }>;

describe("toOcsf", () => {
  it("has a rule for every action in the closed list, and no other", () => {
    expect(Object.keys(OCSF_RULES).sort()).toEqual([...ACTIONS].sort());
  });

  describe.each(ACTIONS)("%s", (action) => {
    it.each(["ALLOWED", "REFUSED"] as const)("%s: validates, with the class's ids", (outcome) => {
      const event = storedEvent(action, outcome);
      const ocsf = toOcsf(event, { vendorName: "Example Corp", tenantUid: "tenant-1" });
      expect(validateOcsf(ocsf), errors()).toBe(true);

      const rule = OCSF_RULES[action];
      const klass = OCSF_CLASSES[rule.class];
      expect(ocsf.class_uid).toBe(klass.class_uid);
      expect(ocsf.category_uid).toBe(3);
      expect(ocsf.type_uid).toBe(ocsf.class_uid * 100 + ocsf.activity_id);
      expect(ocsf.status_id).toBe(outcome === "ALLOWED" ? 1 : 2);
      expect(ocsf.severity_id).toBeGreaterThanOrEqual(outcome === "ALLOWED" ? 1 : 2);
      expect(ocsf.time).toBe(Date.parse("2026-11-24T09:30:15.123Z"));
      expect(ocsf.metadata).toMatchObject({
        version: OCSF_VERSION,
        product: { name: "Passkey Recovery Console", vendor_name: "Example Corp" },
        uid: "4711",
        original_time: "2026-11-24T09:30:15.123Z",
        event_code: action,
        tenant_uid: "tenant-1",
      });
      expect(ocsf.src_endpoint).toEqual({ ip: "203.0.113.7" });
      // The console's own fields, the payload exactly as stored (nothing added to it).
      expect(ocsf.unmapped).toMatchObject({
        audit_id: "4711",
        action,
        outcome,
        reason: event.reason,
        case_id: event.caseId,
        format_version: 1,
        position: null,
        event_id: null,
      });
      expect(ocsf.unmapped.data).toEqual(event.data);

      // Every attribute the class requires is there (the schema checks too; this says which).
      for (const name of defs[rule.class]!.required ?? []) expect(ocsf).toHaveProperty(name);
      // And those this mapping promises although OCSF only recommends them.
      for (const name of ["actor", "message", "status", "severity", "activity_name", "type_name"])
        expect(ocsf).toHaveProperty(name);
      if (rule.class !== "entity_management") expect(ocsf.user).toBeDefined();
      else expect(ocsf.entity).toBeDefined();
    });
  });

  it("maps the passkey and pass lifecycle to User Management and sign-ins to Authentication", () => {
    const pick = (action: AuditAction) => {
      const e = toOcsf(storedEvent(action, "ALLOWED"));
      return [e.class_uid, e.activity_id, e.auth_factors?.map((f) => f.factor_type_id)];
    };
    expect(pick("passkey.enrolled")).toEqual([3007, 12, [10]]);
    expect(pick("passkey.revoked")).toEqual([3007, 13, [10]]);
    expect(pick("tap.issued")).toEqual([3007, 12, [99]]);
    expect(pick("reenrolment.link_sent")).toEqual([3007, 12, [99]]);
    expect(pick("workforce.signed_in")).toEqual([3002, 1, [10]]);
    expect(pick("tap.redeemed")).toEqual([3002, 1, [99]]);
    expect(pick("staff.signed_out")).toEqual([3002, 2, undefined]);
    expect(pick("approval.approved")).toEqual([3004, 3, undefined]);
    expect(pick("case.transferred")).toEqual([3004, 5, undefined]);
  });

  it("picks the activity from the payload where the action covers two", () => {
    const guessed = (voidedPass: boolean) =>
      toOcsf({
        ...storedEvent("tap.guessed", "ALLOWED"),
        data: { wrongTries: 10, voided: voidedPass },
      });
    expect(guessed(false)).toMatchObject({ activity_id: 6, activity_name: "Lock", severity_id: 3 });
    expect(guessed(true)).toMatchObject({ activity_id: 13, severity_id: 4 });
    const status = (to: string) =>
      toOcsf({
        ...storedEvent("workforce.status_changed", "ALLOWED"),
        data: { ...PAYLOADS["workforce.status_changed"], to },
      }).activity_name;
    expect([status("LEFT"), status("SUSPENDED"), status("ACTIVE"), status("LEAVING")]).toEqual([
      "Disable",
      "Disable",
      "Enable",
      "Update",
    ]);
  });

  it("has ids that agree with their captions in the vendored OCSF source", () => {
    const dictionary = vendored("dictionary.json");
    const base = vendored("events/base_event.json");
    const user = vendored("objects/user.json");
    const files = {
      authentication: "events/iam/authentication.json",
      user_management: "events/iam/user_management.json",
      entity_management: "events/iam/entity_management.json",
    } as const;
    for (const [name, klass] of Object.entries(OCSF_CLASSES)) {
      const source = vendored(files[name as keyof typeof files]);
      expect(source.caption).toBe(klass.caption);
      expect(3000 + (source.uid as number)).toBe(klass.class_uid);
      const activities = {
        ...base.attributes.activity_id!.enum,
        ...source.attributes.activity_id!.enum,
      };
      for (const [id, caption] of Object.entries(klass.activities))
        expect(activities[id]?.caption, `${name} activity ${id}`).toBe(caption);
    }
    for (const action of ACTIONS)
      for (const outcome of ["ALLOWED", "REFUSED"] as const) {
        const e = toOcsf(storedEvent(action, outcome));
        if (e.activity_id !== 99) expect(e.type_name).toBe(`${e.class_name}: ${e.activity_name}`);
        expect(base.attributes.status_id!.enum![e.status_id]!.caption).toBe(e.status);
        expect(dictionary.attributes.severity_id!.enum![e.severity_id]!.caption).toBe(e.severity);
        for (const factor of e.auth_factors ?? [])
          if (factor.factor_type_id !== 99)
            expect(
              dictionary.attributes.factor_type_id!.enum![factor.factor_type_id]!.caption,
            ).toBe(factor.factor_type);
        for (const u of [e.user, e.actor.user])
          if (u && u.type_id !== 99)
            expect(user.attributes.type_id!.enum![u.type_id]!.caption).toBe(u.type);
      }
    expect(dictionary.attributes.factor_type_id!.enum!["10"]!.caption).toBe("WebAuthn");
  });

  it("carries the v2 position and event id, and keeps an address OCSF cannot type under unmapped", () => {
    const ocsf = toOcsf({
      ...storedEvent("passkey.revoked", "ALLOWED"),
      position: 41n,
      eventId: "7d9f3c2a-1b4e-4f6a-9c8d-2e1f0a3b4c5d",
      ip: "unknown",
    });
    expect(validateOcsf(ocsf), errors()).toBe(true);
    expect(ocsf.metadata.uid).toBe("7d9f3c2a-1b4e-4f6a-9c8d-2e1f0a3b4c5d");
    expect(ocsf.metadata.sequence).toBe(41);
    expect(ocsf.unmapped).toMatchObject({
      position: "41",
      event_id: "7d9f3c2a-1b4e-4f6a-9c8d-2e1f0a3b4c5d",
      ip: "unknown",
    });
    expect(ocsf.src_endpoint).toBeUndefined();
  });

  it("still exports an action it does not know, as Entity Management: Other", () => {
    const ocsf = toOcsf({ ...storedEvent("case.closed", "ALLOWED"), action: "case.archived" });
    expect(validateOcsf(ocsf), errors()).toBe(true);
    expect(ocsf).toMatchObject({
      class_uid: 3004,
      activity_id: 99,
      activity_name: "case.archived",
    });
  });

  it("reads an export line (id and time as text) as it reads a row", () => {
    const row = { ...storedEvent("staff.signed_in", "ALLOWED"), id: 12n };
    const fromRow = toOcsf(row);
    const fromLine = toOcsf({ ...row, id: "12", createdAt: "2026-11-24T09:30:15.123Z" });
    expect(fromLine).toEqual(fromRow);
    expect(fromRow).toMatchObject({ auth_protocol_id: 4, auth_protocol: "OpenID", is_mfa: true });
  });

  it("is self-contained: only node built-ins at run time, Prisma and the rest for types only", () => {
    const source = readFileSync(path.join(import.meta.dirname, "ocsf.ts"), "utf8");
    const imports = [...source.matchAll(/^import (type )?.*from "([^"]+)";$/gm)];
    for (const [line, typeOnly, from] of imports)
      expect(typeOnly !== undefined || from!.startsWith("node:"), line).toBe(true);
    expect(source).not.toMatch(/^import "server-only"/m);
  });

  it("names the console's own version", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      version: string;
    };
    expect(CONSOLE_VERSION).toBe(pkg.version);
  });
});

describe("the compiled schema is not vacuous", () => {
  const good = () =>
    toOcsf(storedEvent("passkey.enrolled", "ALLOWED")) as unknown as Record<string, unknown>;

  it("accepts the event these cases spoil", () => {
    expect(validateOcsf(good()), errors()).toBe(true);
  });

  it.each([
    ["without metadata", (e: Record<string, unknown>) => delete e.metadata],
    ["without the user User Management requires", (e) => delete e.user],
    ["with a type_uid that is not class_uid * 100 + activity_id", (e) => (e.type_uid = 300213)],
    [
      "with an activity the class does not have",
      (e) => ((e.activity_id = 42), (e.type_uid = 300742)),
    ],
    [
      "with an activity name that is not the activity's caption",
      (e) => (e.activity_name = "Enrol"),
    ],
    ["with a status that is not the status id's caption", (e) => (e.status = "Failure")],
    ["with another class's uid", (e) => (e.class_uid = 3005)],
    ["in the wrong category", (e) => (e.category_uid = 6)],
    ["with a time as text", (e) => (e.time = "2026-11-24T09:30:15.123Z")],
    ["with an attribute OCSF does not define", (e) => (e.tap_code = "123456")],
    ["with a profile attribute no profile applies", (e) => (e.device = { hostname: "h" })],
    ["with an invalid address", (e) => (e.src_endpoint = { ip: "not an address" })],
    [
      "with a factor whose id is unknown",
      (e) => (e.auth_factors = [{ factor_type_id: 42, factor_type: "x" }]),
    ],
    [
      "with a user that has no uid, name or account",
      (e) => (e.user = { type_id: 1, type: "User" }),
    ],
    [
      "with metadata missing the product",
      (e) => delete (e.metadata as Record<string, unknown>).product,
    ],
  ] as [string, (e: Record<string, unknown>) => unknown][])("refuses an event %s", (_, spoil) => {
    const event = good();
    spoil(event);
    expect(validateOcsf(event)).toBe(false);
  });
});
