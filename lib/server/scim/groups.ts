import "server-only";
/**
 * SCIM Groups as risk tiers (docs/decisions/033, lib/domain/scim/groups.ts). A membership change
 * is a change of the person's tier, made through the same mover path as any SCIM write (their
 * pending approvals lapse, audited with the SCIM client as the actor).
 */
import type { MembershipChange } from "@/lib/domain/scim/groups";
import { ScimError } from "@/lib/domain/scim/schemas";
import { storedAsInput } from "@/lib/domain/scim/user";
import type { RiskTier } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import type { RequestContext } from "../request-context";
import type { ScimClient } from "./tokens";
import { writeScimUser } from "./users";

/** The most members a group's answer lists (the Standard tier can be most of the workforce). */
export const GROUP_MEMBERS_SHOWN = 1000;

export async function findGroupMembers(tier: RiskTier) {
  return db.workforceUser.findMany({
    where: { riskTier: tier },
    select: { id: true, name: true },
    orderBy: { id: "asc" },
    take: GROUP_MEMBERS_SHOWN,
  });
}

async function setTier(
  client: ScimClient,
  userId: string,
  tier: RiskTier,
  request?: RequestContext,
) {
  await writeScimUser(
    client,
    userId,
    (current) => ({ ...storedAsInput(current), riskTier: tier }),
    request,
  );
}

/** Applies membership changes: added people take the group's tier, removed ones go back to Standard. */
export async function changeGroupMembers(
  client: ScimClient,
  tier: RiskTier,
  change: MembershipChange,
  request?: RequestContext,
): Promise<void> {
  const named = [...new Set([...change.add, ...change.remove, ...(change.replace ?? [])])];
  const found = await db.workforceUser.findMany({
    where: { id: { in: named } },
    select: { id: true, riskTier: true },
  });
  // Every member named must exist before anything is written.
  if (found.length !== named.length)
    throw new ScimError(400, "invalidValue", "A member is not the SCIM id of a user.");
  const tierOf = new Map(found.map((u) => [u.id, u.riskTier]));
  const add = new Set([...change.add, ...(change.replace ?? [])]);
  const remove = new Set(change.remove.filter((id) => !add.has(id)));
  if (change.replace && tier !== "STANDARD") {
    const current = await db.workforceUser.findMany({
      where: { riskTier: tier, id: { notIn: [...add] } },
      select: { id: true },
    });
    for (const { id } of current) remove.add(id);
  }
  for (const id of add) if (tierOf.get(id) !== tier) await setTier(client, id, tier, request);
  // Leaving a tier's group makes the person Standard (there is no tierless person).
  if (tier !== "STANDARD") for (const id of remove) await setTier(client, id, "STANDARD", request);
}
