/**
 * The reviewer console's filters as a Prisma condition, shared by the console, the export and
 * the benchmark (scripts/benchmark.ts).
 *
 * NOTE: not marked "server-only": the benchmark (plain Node) builds the same queries.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { AuditSearch } from "@/lib/domain/audit-search";

export function auditWhere(search: AuditSearch): Prisma.AuditEventWhereInput {
  return {
    ...(search.action ? { action: search.action } : {}),
    ...(search.outcome ? { outcome: search.outcome } : {}),
    ...(search.actor ? { actorName: { contains: search.actor, mode: "insensitive" } } : {}),
    ...(search.userId ? { subjectUserId: search.userId } : {}),
    ...(search.caseId ? { caseId: search.caseId } : {}),
    ...(search.from || search.to
      ? {
          createdAt: {
            ...(search.from ? { gte: new Date(`${search.from}T00:00:00Z`) } : {}),
            ...(search.to
              ? { lt: new Date(new Date(`${search.to}T00:00:00Z`).getTime() + 86_400_000) }
              : {}),
          },
        }
      : {}),
  };
}
