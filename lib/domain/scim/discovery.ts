/**
 * The SCIM discovery documents (RFC 7644 §4, RFC 7643 §5–7): what the console's service provider
 * supports, so an identity provider configures itself from them.
 */
import {
  CONSOLE_USER,
  CORE_USER,
  ENTERPRISE_USER,
  LIST_RESPONSE,
  SCIM_MAX_BODY_BYTES,
  SCIM_MAX_COUNT,
} from "./schemas";
import { RISK_TIERS } from "../workforce";

export function serviceProviderConfig(base: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${base.replace(/\/scim\/v2$/, "")}/settings/scim`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: SCIM_MAX_BODY_BYTES },
    filter: { supported: true, maxResults: SCIM_MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A token a security reviewer issues on the console's SCIM page.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  const user = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "User",
    name: "User",
    endpoint: "/Users",
    description: "A person of the workforce",
    schema: CORE_USER,
    schemaExtensions: [
      { schema: ENTERPRISE_USER, required: false },
      { schema: CONSOLE_USER, required: false },
    ],
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
  };
  const group = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "Group",
    name: "Group",
    endpoint: "/Groups",
    description: "A risk tier: its members are the people of that tier",
    schema: "urn:ietf:params:scim:schemas:core:2.0:Group",
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
  };
  return {
    schemas: [LIST_RESPONSE],
    totalResults: 2,
    startIndex: 1,
    itemsPerPage: 2,
    Resources: [user, group],
  };
}

type Attr = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference" | "dateTime";
  multiValued?: boolean;
  required?: boolean;
  description?: string;
  canonicalValues?: readonly string[];
  subAttributes?: Attr[];
  uniqueness?: "none" | "server";
};

function attr(a: Attr): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description ?? "",
    required: a.required ?? false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: a.uniqueness ?? "none",
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
  };
}

const multi = (name: string) =>
  attr({
    name,
    type: "complex",
    multiValued: true,
    subAttributes: [
      { name: "value", type: "string" },
      { name: "type", type: "string" },
      { name: "primary", type: "boolean" },
    ],
  });

export function schemas(base: string) {
  const resources = [
    {
      id: CORE_USER,
      name: "User",
      description: "User account (the console keeps the attributes listed)",
      attributes: [
        attr({ name: "userName", type: "string", required: true, uniqueness: "server" }),
        attr({ name: "externalId", type: "string" }),
        attr({
          name: "name",
          type: "complex",
          subAttributes: [
            { name: "formatted", type: "string" },
            { name: "givenName", type: "string" },
            { name: "familyName", type: "string" },
          ],
        }),
        attr({ name: "displayName", type: "string" }),
        attr({ name: "title", type: "string" }),
        attr({ name: "active", type: "boolean" }),
        multi("emails"),
        multi("phoneNumbers"),
      ],
    },
    {
      id: ENTERPRISE_USER,
      name: "EnterpriseUser",
      description: "Enterprise user",
      attributes: [
        attr({ name: "employeeNumber", type: "string", uniqueness: "server" }),
        attr({ name: "department", type: "string" }),
        attr({
          name: "manager",
          type: "complex",
          subAttributes: [{ name: "value", type: "string", description: "The manager's SCIM id" }],
        }),
      ],
    },
    {
      id: CONSOLE_USER,
      name: "RecoveryConsoleUser",
      description: "The passkey recovery console's attributes",
      attributes: [
        attr({ name: "riskTier", type: "string", canonicalValues: RISK_TIERS }),
        attr({
          name: "employmentEndDate",
          type: "string",
          description:
            "The last day of employment (YYYY-MM-DD); the day after, the person is a leaver",
        }),
      ],
    },
    {
      id: "urn:ietf:params:scim:schemas:core:2.0:Group",
      name: "Group",
      description: "A risk tier (fixed: one group per tier, not created or renamed over SCIM)",
      attributes: [
        attr({ name: "displayName", type: "string", required: true, uniqueness: "server" }),
        attr({
          name: "members",
          type: "complex",
          multiValued: true,
          subAttributes: [
            { name: "value", type: "string", description: "A user's SCIM id" },
            { name: "display", type: "string" },
          ],
        }),
      ],
    },
  ].map((s) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    ...s,
    meta: { resourceType: "Schema", location: `${base}/Schemas/${s.id}` },
  }));
  return {
    schemas: [LIST_RESPONSE],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
