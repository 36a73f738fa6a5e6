/**
 * SCIM Groups as the console's risk tiers (docs/decisions/033): one fixed group per tier, its id
 * the tier's key and its displayName the tier's label. Membership is the person's tier: adding
 * someone to "Privileged" makes them privileged; removing them from their tier's group makes them
 * Standard. Groups are neither created nor deleted nor renamed over SCIM.
 */
import { parse as parseFilter, type Filter } from "scim2-parse-filter";
import { RISK_TIER_LABELS, RISK_TIERS, type RiskTier } from "../workforce";
import type { PatchOp } from "./patch";
import { ScimError } from "./schemas";
import { isUuid } from "../uuid";

export const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

export function tierOfGroup(id: string): RiskTier | null {
  return (RISK_TIERS as readonly string[]).includes(id) ? (id as RiskTier) : null;
}

export function toScimGroup(
  tier: RiskTier,
  base: string,
  members?: { id: string; name: string }[],
) {
  return {
    schemas: [CORE_GROUP],
    id: tier,
    displayName: RISK_TIER_LABELS[tier],
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.id,
            display: m.name,
            $ref: `${base}/Users/${m.id}`,
          })),
        }
      : {}),
    meta: { resourceType: "Group", location: `${base}/Groups/${tier}` },
  };
}

/** Whether a group matches a filter node: and/or of eq, co, sw, ew on displayName or id, case-insensitively. */
function matches(
  node: Filter,
  group: { id: string; displayname: string; externalid: string },
): boolean {
  if (node.op === "and" || node.op === "or") {
    const parts = (node as { filters: Filter[] }).filters.map((f) => matches(f, group));
    return node.op === "and" ? parts.every(Boolean) : parts.some(Boolean);
  }
  const { attrPath, compValue } = node as { attrPath?: string; compValue?: unknown };
  const attr = attrPath?.toLowerCase();
  if (
    (attr !== "displayname" && attr !== "id" && attr !== "externalid") ||
    typeof compValue !== "string" ||
    !["eq", "co", "sw", "ew"].includes(node.op)
  )
    throw new ScimError(400, "invalidFilter", "Groups are filtered on displayName or id.");
  const have = group[attr].toLowerCase();
  const want = compValue.toLowerCase();
  if (node.op === "eq") return have === want;
  if (node.op === "co") return have.includes(want);
  if (node.op === "sw") return have.startsWith(want);
  return have.endsWith(want);
}

/** The tiers a Groups filter selects, or invalidFilter. */
export function groupsMatching(filter: string | null): RiskTier[] {
  if (!filter) return [...RISK_TIERS];
  let ast: Filter;
  try {
    ast = parseFilter(filter);
  } catch {
    throw new ScimError(400, "invalidFilter", "The filter does not parse.");
  }
  return RISK_TIERS.filter((tier) =>
    matches(ast, { id: tier, displayname: RISK_TIER_LABELS[tier], externalid: tier }),
  );
}

export type MembershipChange = { add: string[]; remove: string[]; replace: string[] | null };

function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    const id = typeof m === "object" && m !== null ? (m as { value?: unknown }).value : m;
    if (!isUuid(id)) throw new ScimError(400, "invalidValue", "A member is the SCIM id of a user.");
    return id.toLowerCase();
  });
}

/**
 * A Groups PATCH as membership changes: `add` / `remove` of `members` (Entra and Okta), a remove
 * with `members[value eq "…"]` (Okta, Entra), `replace` of all members. Renaming is refused.
 */
export function membershipChanges(tier: RiskTier, ops: readonly PatchOp[]): MembershipChange {
  const change: MembershipChange = { add: [], remove: [], replace: null };
  for (const op of ops) {
    const path = op.path?.trim() ?? null;
    if (path === null) {
      const value = op.value as Record<string, unknown> | undefined;
      const keys = Object.keys(value ?? {});
      for (const key of keys) {
        if (key.toLowerCase() === "members") {
          applyMembers(change, op.op, memberIds(value![key]));
        } else if (key.toLowerCase() === "displayname" && value![key] === RISK_TIER_LABELS[tier]) {
          continue;
        } else if (!["id", "externalid"].includes(key.toLowerCase())) {
          throw new ScimError(400, "mutability", "A tier's group is not renamed over SCIM.");
        }
      }
      continue;
    }
    const filtered = /^members\[value eq "([^"]+)"\]$/i.exec(path);
    if (filtered && op.op === "remove") {
      change.remove.push(...memberIds(filtered[1]));
      continue;
    }
    if (path.toLowerCase() === "members") {
      applyMembers(
        change,
        op.op,
        op.op === "remove" && op.value === undefined ? [] : memberIds(op.value),
      );
      continue;
    }
    if (path.toLowerCase() === "displayname" && op.value === RISK_TIER_LABELS[tier]) continue;
    if (path.toLowerCase() === "displayname" || path.toLowerCase() === "externalid")
      throw new ScimError(400, "mutability", "A tier's group is not renamed over SCIM.");
    throw new ScimError(400, "invalidPath", `Groups have no "${path.slice(0, 80)}" to change.`);
  }
  return change;
}

function applyMembers(change: MembershipChange, op: PatchOp["op"], ids: string[]) {
  if (op === "add") change.add.push(...ids);
  else if (op === "remove") {
    if (ids.length === 0) change.replace = [];
    else change.remove.push(...ids);
  } else change.replace = ids;
}
