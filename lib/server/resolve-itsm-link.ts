import "server-only";
import { db } from "@/lib/db";
import { parseItsmLink } from "@/lib/domain/itsm-link";

/**
 * Where an ITSM's link (/cases/new?ticket=…&employee=…, docs/decisions/035) leads: the person's
 * page with the ticket for the open-case form, or every reason it cannot.
 */
export async function resolveItsmLink(
  query: Record<string, unknown>,
): Promise<{ ok: true; path: string } | { ok: false; problems: string[] }> {
  const link = parseItsmLink(query);
  if (!link.ok) return link;
  const user = await db.workforceUser.findUnique({
    where: { employeeId: link.value.employee },
    select: { id: true },
  });
  if (!user)
    return {
      ok: false,
      problems: [`No one in the directory has the employee ID ${link.value.employee}.`],
    };
  return {
    ok: true,
    path: `/users/${user.id}?ticket=${encodeURIComponent(link.value.ticket)}#recovery`,
  };
}
