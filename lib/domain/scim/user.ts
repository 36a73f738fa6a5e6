/**
 * SCIM User ⇄ the console's WorkforceUser (docs/decisions/033). A request body is first brought
 * to a normalized document (canonical attribute names, one object per schema; an attribute no
 * schema defines is refused), then parsed into what the console keeps. PATCH works on the same
 * normalized document (patch.ts), so a patched user is checked exactly like a replaced one.
 */
import { z } from "zod";
import { RISK_TIERS, type EmploymentStatus, type RiskTier } from "../workforce";
import {
  canonicalAttribute,
  CONSOLE_USER,
  CORE_USER,
  ENTERPRISE_USER,
  KEPT_CORE,
  READ_ONLY_CORE,
  ScimError,
  splitUrn,
  userEtag,
  type SchemaUrn,
} from "./schemas";

export type ScimDocument = {
  core: Record<string, unknown>;
  enterprise: Record<string, unknown>;
  console: Record<string, unknown>;
};

const SLOT: Record<SchemaUrn, keyof ScimDocument> = {
  [CORE_USER]: "core",
  [ENTERPRISE_USER]: "enterprise",
  [CONSOLE_USER]: "console",
};

export function emptyDocument(): ScimDocument {
  return { core: {}, enterprise: {}, console: {} };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Puts one schema's attributes into the document under their canonical names. */
function putAll(doc: ScimDocument, schema: SchemaUrn, value: unknown) {
  if (!isObject(value))
    throw new ScimError(400, "invalidSyntax", `${schema} must be an object of attributes.`);
  for (const [key, v] of Object.entries(value)) {
    const name = canonicalAttribute(schema, key);
    if (!name)
      throw new ScimError(400, "invalidSyntax", `Unknown attribute "${key.slice(0, 80)}".`);
    doc[SLOT[schema]][name] = v;
  }
}

/** A request body as a normalized document; any attribute no schema defines is refused. */
export function normalizeDocument(body: unknown): ScimDocument {
  if (!isObject(body)) throw new ScimError(400, "invalidSyntax", "The body must be a JSON object.");
  const doc = emptyDocument();
  for (const [key, value] of Object.entries(body)) {
    const urn = splitUrn(key);
    if (urn && urn.rest === "" && urn.schema !== CORE_USER) {
      putAll(doc, urn.schema, value);
      continue;
    }
    const schema = urn?.schema ?? CORE_USER;
    const name = canonicalAttribute(schema, urn ? urn.rest : key);
    if (!name)
      throw new ScimError(400, "invalidSyntax", `Unknown attribute "${key.slice(0, 80)}".`);
    doc[SLOT[schema]][name] = value;
  }
  return doc;
}

/** What the console keeps of a SCIM user. */
export type ScimUserInput = {
  userName: string;
  externalId: string | null;
  name: string;
  title: string;
  /**
   * null when the request does not say (a PATCH that removes it, a PUT that leaves it out): the
   * person's state stays as it is. Only an explicit false makes a leaver, only true a returner.
   */
  active: boolean | null;
  emails: { address: string; kind: string; isPrimary: boolean }[];
  phone: string | null;
  employeeNumber: string | null;
  department: string | null;
  /** The manager's SCIM id (the WorkforceUser id). */
  managerId: string | null;
  riskTier: RiskTier | null;
  /** The last day of employment (date only, UTC). */
  employmentEndDate: Date | null;
};

const Text = (max: number) => z.string().trim().max(max);
/** Entra sends booleans as strings ("True", "False") in places. */
export const ScimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, "must be true or false")
    .transform((v) => v.toLowerCase() === "true"),
]);
const MultiValued = z
  .array(
    z.looseObject({
      value: z.string().trim().max(320).optional(),
      type: z.string().max(40).optional(),
      primary: ScimBoolean.optional(),
    }),
  )
  .max(20);
const Manager = z.union([
  z.string().max(80),
  z.looseObject({ value: z.string().max(80).optional() }),
  z.null(),
]);
const Uuid = z.uuid();

const CoreSchema = z.looseObject({
  userName: Text(256).min(1, "userName is required."),
  externalId: Text(256).nullish(),
  name: z
    .looseObject({
      formatted: Text(200).optional(),
      givenName: Text(100).optional(),
      familyName: Text(100).optional(),
    })
    .optional(),
  displayName: Text(200).optional(),
  title: Text(200).nullish(),
  active: ScimBoolean.optional(),
  emails: MultiValued.optional(),
  phoneNumbers: MultiValued.optional(),
});
const EnterpriseSchema = z.looseObject({
  employeeNumber: Text(64).nullish(),
  department: Text(200).nullish(),
  manager: Manager.optional(),
});
const ConsoleSchema = z.looseObject({
  riskTier: z.enum(RISK_TIERS).nullish(),
  employmentEndDate: z.iso.date().nullish(),
});

function pick<T extends { value?: string; type?: string; primary?: boolean }>(
  items: T[],
  type: string,
): T | undefined {
  return (
    items.find((i) => i.type?.toLowerCase() === type && i.value) ??
    items.find((i) => i.primary && i.value) ??
    items.find((i) => i.value)
  );
}

function firstIssue(error: z.ZodError, where: string): ScimError {
  const issue = error.issues[0]!;
  const path = issue.path.join(".");
  return new ScimError(400, "invalidValue", `${where}${path ? ` ${path}` : ""}: ${issue.message}`);
}

/** The normalized document as what the console keeps, or a SCIM error. */
export function parseUser(doc: ScimDocument): ScimUserInput {
  const core = CoreSchema.safeParse(doc.core);
  if (!core.success) throw firstIssue(core.error, "User");
  const ent = EnterpriseSchema.safeParse(doc.enterprise);
  if (!ent.success) throw firstIssue(ent.error, "Enterprise user");
  const own = ConsoleSchema.safeParse(doc.console);
  if (!own.success) throw firstIssue(own.error, "Console extension");
  const c = core.data;
  const given = [c.name?.givenName, c.name?.familyName].filter(Boolean).join(" ");
  const name = c.displayName || c.name?.formatted || given || c.userName;
  const emails = (c.emails ?? []).filter((e) => e.value);
  for (const e of emails)
    if (!z.email().safeParse(e.value).success)
      throw new ScimError(400, "invalidValue", "emails: not an email address.");
  const primaryIndex = Math.max(
    0,
    emails.findIndex((e) => e.primary),
  );
  const manager = ent.data.manager;
  const managerId =
    manager === undefined || manager === null
      ? null
      : typeof manager === "string"
        ? manager || null
        : manager.value || null;
  if (managerId !== null && !Uuid.safeParse(managerId).success)
    throw new ScimError(400, "invalidValue", "manager: not the SCIM id of a user.");
  const seen = new Set<string>();
  return {
    userName: c.userName,
    externalId: c.externalId || null,
    name,
    title: c.title ?? "",
    active: c.active ?? null,
    emails: emails
      .map((e, i) => ({
        address: e.value!.toLowerCase(),
        kind: (e.type ?? "work").toLowerCase(),
        isPrimary: i === primaryIndex,
      }))
      .filter((e) => !seen.has(e.address) && seen.add(e.address)),
    phone: pick(c.phoneNumbers ?? [], "work")?.value ?? null,
    employeeNumber: ent.data.employeeNumber || null,
    department: ent.data.department ?? null,
    managerId,
    riskTier: own.data.riskTier ?? null,
    employmentEndDate: own.data.employmentEndDate
      ? new Date(`${own.data.employmentEndDate}T00:00:00Z`)
      : null,
  };
}

/** The console's user, as read for SCIM. */
export type StoredUser = {
  id: string;
  employeeId: string;
  name: string;
  title: string;
  department: string;
  managerId: string | null;
  phoneOfRecord: string;
  riskTier: RiskTier;
  status: EmploymentStatus;
  leavingOn: Date | null;
  scimUserName: string | null;
  scimExternalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  emails: { address: string; kind: string; isPrimary: boolean }[];
};

/** Whether SCIM shows the person as active: not LEFT nor SUSPENDED. */
export function scimActive(status: EmploymentStatus): boolean {
  return status === "ACTIVE" || status === "LEAVING";
}

/** The SCIM representation of a user (RFC 7643 §4.1 with the enterprise extension). */
export function toScimUser(user: StoredUser, baseUrl: string) {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER, CONSOLE_USER],
    id: user.id,
    ...(user.scimExternalId ? { externalId: user.scimExternalId } : {}),
    userName: user.scimUserName ?? user.employeeId,
    name: { formatted: user.name },
    displayName: user.name,
    ...(user.title ? { title: user.title } : {}),
    active: scimActive(user.status),
    emails: user.emails.map((e) => ({ value: e.address, type: e.kind, primary: e.isPrimary })),
    ...(user.phoneOfRecord
      ? { phoneNumbers: [{ value: user.phoneOfRecord, type: "work", primary: true }] }
      : {}),
    [ENTERPRISE_USER]: {
      employeeNumber: user.employeeId,
      ...(user.department ? { department: user.department } : {}),
      ...(user.managerId
        ? { manager: { value: user.managerId, $ref: `${baseUrl}/Users/${user.managerId}` } }
        : {}),
    },
    [CONSOLE_USER]: {
      riskTier: user.riskTier,
      ...(user.leavingOn ? { employmentEndDate: user.leavingOn.toISOString().slice(0, 10) } : {}),
    },
    meta: {
      resourceType: "User",
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: userEtag(user.updatedAt),
    },
  };
}

/** Core attributes in the schema that the console does not keep (dropped on write). */
export function droppedAttributes(doc: ScimDocument): string[] {
  return Object.keys(doc.core).filter((k) => !KEPT_CORE.has(k) && !READ_ONLY_CORE.has(k));
}

/** A stored user as the input that would keep them as they are (for DELETE, the sweep, Groups). */
export function storedAsInput(user: StoredUser): ScimUserInput {
  return {
    userName: user.scimUserName ?? user.employeeId,
    externalId: user.scimExternalId,
    name: user.name,
    title: user.title,
    active: scimActive(user.status),
    emails: user.emails,
    phone: user.phoneOfRecord,
    employeeNumber: user.employeeId,
    department: user.department,
    managerId: user.managerId,
    riskTier: user.riskTier,
    employmentEndDate: user.leavingOn,
  };
}
