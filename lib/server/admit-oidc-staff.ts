import "server-only";
import { db } from "@/lib/db";
import { roleFromClaims, teamFromClaims } from "@/lib/domain/oidc-role";
import { recordAudit, auditedTransaction } from "./audit";

export type OidcAdmission = { ok: true } | { ok: false; detail: string };

/**
 * Decides whether an identity-provider sign-in may go on (next-auth's signIn callback). The
 * role and the team come from the provider's claims on every sign-in: a changed role or team is
 * applied and the staff member's other sessions end (ASVS 8.3.2), so nobody keeps a role or a
 * team's cases they no longer hold. An agent or supervisor without a team signs in, and the
 * console tells them they work no cases until the identity team sets one.
 * Refusals are audited.
 */
export async function admitOidcStaff(input: {
  provider: string;
  subject: string;
  email: string | null | undefined;
  claims: Record<string, unknown>;
  roleClaim: string;
  teamClaim?: string;
}): Promise<OidcAdmission> {
  const role = roleFromClaims(input.claims, input.roleClaim);
  const team = teamFromClaims(input.claims, input.teamClaim ?? "console_team");
  const existing = await db.staff.findFirst({
    where: {
      OR: [
        { accounts: { some: { provider: input.provider, providerAccountId: input.subject } } },
        ...(input.email ? [{ email: input.email.toLowerCase() }] : []),
      ],
    },
  });
  const refuse = async (detail: string): Promise<OidcAdmission> => {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "staff.sign_in_refused",
        outcome: "REFUSED",
        reason: "SIGN_IN_REFUSED",
        actor: { type: "ANONYMOUS" },
        target: existing ? { type: "staff", id: existing.id } : undefined,
        data: { method: "oidc", email: input.email?.slice(0, 320) ?? undefined, detail },
      }),
    );
    return { ok: false, detail };
  };
  if (!input.email) return refuse("the identity provider sent no email");
  if (!role.ok) return refuse(role.detail);
  if (existing && !existing.active) return refuse("staff member is disabled");
  if (existing && existing.team !== team && existing.role !== "SECURITY") {
    // A team change changes which cases they may work: applied now, and their other sessions end.
    await auditedTransaction(db, async (tx) => {
      await tx.staff.update({ where: { id: existing.id }, data: { team } });
      await tx.staffSession.deleteMany({ where: { staffId: existing.id } });
      await recordAudit(tx, {
        action: "staff.team_changed",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: `identity provider ${input.provider}` },
        target: { type: "staff", id: existing.id },
        data: { from: existing.team, to: team },
      });
    });
  }
  if (existing && existing.role !== role.role) {
    await auditedTransaction(db, async (tx) => {
      await tx.staff.update({ where: { id: existing.id }, data: { role: role.role } });
      await tx.staffSession.deleteMany({ where: { staffId: existing.id } });
      await recordAudit(tx, {
        action: "staff.role_changed",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: `identity provider ${input.provider}` },
        target: { type: "staff", id: existing.id },
        data: { from: existing.role, to: role.role },
      });
    });
  }
  return { ok: true };
}

/** Creates the staff record on a first identity-provider sign-in (next-auth adapter createUser). */
export async function provisionOidcStaff(input: {
  email: string;
  name: string;
  role: "AGENT" | "SUPERVISOR" | "SECURITY";
  team?: string | null;
  provider: string;
}) {
  return auditedTransaction(db, async (tx) => {
    const staff = await tx.staff.create({
      data: {
        email: input.email.toLowerCase(),
        name: input.name,
        role: input.role,
        team: input.role === "SECURITY" ? null : (input.team ?? null),
      },
    });
    await recordAudit(tx, {
      action: "staff.provisioned",
      outcome: "ALLOWED",
      actor: { type: "SYSTEM", name: `identity provider ${input.provider}` },
      target: { type: "staff", id: staff.id },
      data: {
        role: input.role,
        provider: input.provider,
        team: input.role === "SECURITY" ? null : (input.team ?? null),
      },
    });
    return staff;
  });
}
