/**
 * SCIM 2.0 (RFC 7643/7644) vocabulary for the console's service provider (docs/decisions/033):
 * the schema URNs, the error format, ETags, and which attributes the console keeps, knows but
 * drops, or refuses.
 */

export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** The console's own extension: the risk tier and the employment end date. */
export const CONSOLE_USER = "urn:passkey-recovery-console:scim:schemas:extension:2.0:User";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

export const SCIM_CONTENT_TYPE = "application/scim+json";
/** The largest request body a SCIM handler reads (a user is well under 8 kB). */
export const SCIM_MAX_BODY_BYTES = 64 * 1024;
export const SCIM_DEFAULT_COUNT = 100;
export const SCIM_MAX_COUNT = 200;

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers";

/** A refusal in SCIM's error format (RFC 7644 §3.12). */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    detail: string,
  ) {
    super(detail);
  }
  body() {
    return {
      schemas: [ERROR],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

/** A user's version for ETags: it changes with every write of the row. */
export function userEtag(updatedAt: Date): string {
  return `W/"${updatedAt.getTime()}"`;
}

/**
 * If-Match: absent (the client does not use ETags) or "*" passes; otherwise one of the listed
 * tags must be the current one (weak comparison).
 */
export function ifMatchHolds(header: string | null, current: string): boolean {
  if (header === null || header.trim() === "*") return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => strip(tag) === strip(current));
}

/** Core attributes of the User schema, by lower-case name. */
const CORE_ATTRIBUTES = [
  "schemas",
  "id",
  "externalId",
  "meta",
  "userName",
  "name",
  "displayName",
  "nickName",
  "profileUrl",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "timezone",
  "active",
  "password",
  "emails",
  "phoneNumbers",
  "ims",
  "photos",
  "addresses",
  "groups",
  "entitlements",
  "roles",
  "x509Certificates",
] as const;
const ENTERPRISE_ATTRIBUTES = [
  "employeeNumber",
  "costCenter",
  "organization",
  "division",
  "department",
  "manager",
] as const;
const CONSOLE_ATTRIBUTES = ["riskTier", "employmentEndDate"] as const;

/** Core attributes the console keeps; the others in the schema are accepted and dropped. */
export const KEPT_CORE = new Set([
  "userName",
  "externalId",
  "name",
  "displayName",
  "title",
  "active",
  "emails",
  "phoneNumbers",
]);
/** Set by the service provider; what a client sends for them is ignored. */
export const READ_ONLY_CORE = new Set(["schemas", "id", "meta", "groups"]);

export type SchemaUrn = typeof CORE_USER | typeof ENTERPRISE_USER | typeof CONSOLE_USER;

const BY_SCHEMA: Record<SchemaUrn, readonly string[]> = {
  [CORE_USER]: CORE_ATTRIBUTES,
  [ENTERPRISE_USER]: ENTERPRISE_ATTRIBUTES,
  [CONSOLE_USER]: CONSOLE_ATTRIBUTES,
};

/** The attribute's canonical spelling in a schema (SCIM names are case-insensitive), or null. */
export function canonicalAttribute(schema: SchemaUrn, name: string): string | null {
  const lower = name.toLowerCase();
  return BY_SCHEMA[schema].find((a) => a.toLowerCase() === lower) ?? null;
}

/** The schema URN a name starts with (case-insensitive), and the rest after the colon. */
export function splitUrn(path: string): { schema: SchemaUrn; rest: string } | null {
  const lower = path.toLowerCase();
  for (const urn of [ENTERPRISE_USER, CONSOLE_USER, CORE_USER] as const) {
    if (lower === urn.toLowerCase()) return { schema: urn, rest: "" };
    if (lower.startsWith(`${urn.toLowerCase()}:`))
      return { schema: urn, rest: path.slice(urn.length + 1) };
  }
  return null;
}
