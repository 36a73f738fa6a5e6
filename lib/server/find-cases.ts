import "server-only";
import { db } from "@/lib/db";

/** Recent cases, open ones first: the agent's work queue. */
export async function findCases(options: { limit?: number } = {}) {
  return db.recoveryCase.findMany({
    orderBy: [{ closedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
    take: options.limit ?? 50,
    select: {
      id: true,
      status: true,
      reason: true,
      riskTier: true,
      needsApproval: true,
      createdAt: true,
      user: { select: { name: true, employeeId: true } },
      agent: { select: { name: true } },
    },
  });
}
