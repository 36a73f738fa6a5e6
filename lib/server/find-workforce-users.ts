import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { searchMode, type DirectorySearch } from "@/lib/domain/workforce";

export const DIRECTORY_PAGE_SIZE = 25;

/**
 * The workforce directory: by employee ID (exact), email or name (substring, served by
 * trigram indexes), optionally filtered by tier and status. Selects only what the list shows.
 */
export async function findWorkforceUsers(search: DirectorySearch) {
  const mode = searchMode(search.q);
  const q = search.q ?? "";
  const where: Prisma.WorkforceUserWhereInput = {
    ...(search.tier ? { riskTier: search.tier } : {}),
    ...(search.status ? { status: search.status } : {}),
    ...(mode === "employeeId" ? { employeeId: q.toUpperCase() } : {}),
    ...(mode === "email"
      ? { emails: { some: { address: { contains: q, mode: "insensitive" } } } }
      : {}),
    ...(mode === "name" ? { name: { contains: q, mode: "insensitive" } } : {}),
  };
  const [total, users] = await Promise.all([
    db.workforceUser.count({ where }),
    db.workforceUser.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (search.page - 1) * DIRECTORY_PAGE_SIZE,
      take: DIRECTORY_PAGE_SIZE,
      select: {
        id: true,
        employeeId: true,
        name: true,
        department: true,
        title: true,
        riskTier: true,
        status: true,
        emails: { where: { isPrimary: true }, select: { address: true }, take: 1 },
        _count: { select: { passkeys: { where: { status: "ACTIVE" } } } },
      },
    }),
  ]);
  return {
    total,
    pageCount: Math.max(1, Math.ceil(total / DIRECTORY_PAGE_SIZE)),
    users: users.map(({ emails, _count, ...user }) => ({
      ...user,
      email: emails[0]?.address ?? null,
      activePasskeys: _count.passkeys,
    })),
  };
}

export type DirectoryRow = Awaited<ReturnType<typeof findWorkforceUsers>>["users"][number];
