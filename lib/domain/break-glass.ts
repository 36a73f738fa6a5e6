/**
 * Break-glass accounts (issue 15, part D; docs/decisions/039). Pure rules: what a sign-in by one
 * is (a declared test or an incident), and who must approve its recovery: two distinct
 * supervisors and a security reviewer, none of whom worked the case.
 */
import type { Refusal } from "./recovery-decisions";
import type { StaffRole } from "./roles";

/** A declared test lasts at most this long: long enough to sign in, short enough not to hide use. */
export const BREAK_GLASS_TEST_MAX_MINUTES = 240;

/** A sign-in by a break-glass account: a test if security declared one that has not ended. */
export function breakGlassSignInKind(testUntil: Date | null, now: Date): "test" | "incident" {
  return testUntil !== null && testUntil.getTime() > now.getTime() ? "test" : "incident";
}

/** Who must approve the recovery of a break-glass account, by role. */
export const BREAK_GLASS_QUORUM: Readonly<Partial<Record<StaffRole, number>>> = {
  SUPERVISOR: 2,
  SECURITY: 1,
};

export type ApprovalVote = { deciderId: string; role: StaffRole };

/** What is still missing from the quorum, in words; empty when it is met. Distinct people only. */
export function quorumMissing(votes: readonly ApprovalVote[]): string[] {
  const missing: string[] = [];
  for (const [role, needed] of Object.entries(BREAK_GLASS_QUORUM) as [StaffRole, number][]) {
    const have = new Set(votes.filter((v) => v.role === role).map((v) => v.deciderId)).size;
    if (have < needed)
      missing.push(
        `${needed - have} more ${role === "SECURITY" ? "security reviewer" : "supervisor"}${needed - have === 1 ? "" : "s"}`,
      );
  }
  return missing;
}

/**
 * Whether this staff member may add their approval to a break-glass recovery: a supervisor or
 * security reviewer, who neither requested nor worked the case, has not approved it already, and
 * whose role still has a place in the quorum.
 */
export function decideBreakGlassVote(input: {
  approver: { id: string; role: StaffRole };
  requestedById: string;
  workedByIds: readonly string[];
  votes: readonly ApprovalVote[];
}): { ok: true; completes: boolean } | Refusal {
  const { approver, votes } = input;
  const needed = BREAK_GLASS_QUORUM[approver.role];
  if (!needed)
    return {
      ok: false,
      code: "FORBIDDEN",
      message: "A break-glass recovery is approved by two supervisors and a security reviewer.",
    };
  if (approver.id === input.requestedById || input.workedByIds.includes(approver.id))
    return {
      ok: false,
      code: "FORBIDDEN",
      message: "You worked this case: approvers of a break-glass recovery must be other people.",
    };
  if (votes.some((v) => v.deciderId === approver.id))
    return {
      ok: false,
      code: "CONFLICT",
      message: "You have already approved this request: the others must be other people.",
    };
  const sameRole = new Set(votes.filter((v) => v.role === approver.role).map((v) => v.deciderId));
  if (sameRole.size >= needed)
    return {
      ok: false,
      code: "CONFLICT",
      message: `Enough ${approver.role === "SECURITY" ? "security reviewers" : "supervisors"} have approved; ${quorumMissing(votes).join(" and ") || "nothing"} still needed.`,
    };
  const after = [...votes, { deciderId: approver.id, role: approver.role }];
  return { ok: true, completes: quorumMissing(after).length === 0 };
}
