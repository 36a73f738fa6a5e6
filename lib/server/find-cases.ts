import "server-only";
import { db } from "@/lib/db";
import { teamScope } from "./cases/unit-of-work";
import type { CurrentStaff } from "./resume-staff-session";

/** Recent cases of the viewer's team (every team's for security reviewers), open ones first: the work queue. */
export async function findCases(options: { viewer: CurrentStaff; limit?: number }) {
  return db.recoveryCase.findMany({
    where: teamScope(options.viewer),
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
