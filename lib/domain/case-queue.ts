/**
 * The case queue (the /cases page): its filters, read from the address so a view can be
 * bookmarked and shared, and the clocks that matter on each case, shown as time left.
 */
import { z } from "zod";
import { CASE_REASONS } from "./case-vocabulary";
import type { StaffRole } from "./roles";
import { hasForbiddenCharacter } from "./plain-text";
import { RISK_TIERS } from "./workforce";

/** Which cases: the views a desk works from. */
export const QUEUE_VIEWS = {
  team: "My team’s open cases",
  mine: "Mine",
  unassigned: "Nobody’s yet",
  waiting: "Waiting on someone",
  supervisor: "Needs a supervisor",
  stopped: "Stopped",
  closed: "Closed",
} as const;
export type QueueView = keyof typeof QUEUE_VIEWS;

/** A view's name for the viewer: a security reviewer has no team of their own, and sees every team's. */
export function queueViewLabel(view: QueueView, role: StaffRole): string {
  return view === "team" && role === "SECURITY" ? "Every team’s open cases" : QUEUE_VIEWS[view];
}

const viewKeys = Object.keys(QUEUE_VIEWS) as [QueueView, ...QueueView[]];

/** Filters as the address carries them; anything unreadable falls back to the default, never an error page. */
export const QueueFiltersSchema = z.object({
  view: z.enum(viewKeys).catch("team"),
  reason: z.enum(CASE_REASONS).optional().catch(undefined),
  tier: z.enum(RISK_TIERS).optional().catch(undefined),
  // Cut by characters, not UTF-16 units (half an emoji cannot be sent to PostgreSQL), and
  // without NUL or hidden characters, which the database refuses or a reader cannot see.
  q: z
    .string()
    .transform((value) => Array.from(value.trim()).slice(0, 100).join(""))
    .refine((value) => !hasForbiddenCharacter(value))
    .optional()
    .catch(undefined),
});
export type QueueFilters = z.infer<typeof QueueFiltersSchema>;

/** Reads the filters from a page's search params (a repeated key counts once: the first). */
export function parseQueueFilters(
  params: Record<string, string | string[] | undefined>,
): QueueFilters {
  const first = (key: string) => {
    const value = params[key];
    return Array.isArray(value) ? value[0] : value;
  };
  return QueueFiltersSchema.parse({
    view: first("view") ?? "team",
    reason: first("reason") || undefined,
    tier: first("tier") || undefined,
    q: first("q") || undefined,
  });
}

/** The address of the queue with these filters (empty ones left out). */
export function queueHref(filters: Partial<QueueFilters>): string {
  const params = new URLSearchParams();
  if (filters.view && filters.view !== "team") params.set("view", filters.view);
  if (filters.reason) params.set("reason", filters.reason);
  if (filters.tier) params.set("tier", filters.tier);
  if (filters.q) params.set("q", filters.q);
  const query = params.toString();
  return query ? `/cases?${query}` : "/cases";
}

export type DeadlineKind = "pass" | "approval" | "managerLink" | "userLink" | "enrolmentLink";

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  pass: "Pass",
  approval: "Approval",
  managerLink: "Manager’s answer",
  userLink: "User’s proof",
  enrolmentLink: "Enrolment link",
};

export type Deadline = { kind: DeadlineKind; at: Date };

type Expiring = { expiresAt: Date | null; usedAt?: Date | null; voidedAt?: Date | null };

/**
 * The clocks running on a case, soonest first: passes and links not yet used or voided, and
 * approvals still waiting. Ones already past are left out (the case shows them as lapsed).
 */
export function deadlinesOf(
  input: {
    accessPasses: readonly Expiring[];
    enrolmentLinks: readonly Expiring[];
    stepLinks: readonly (Expiring & { kind: string })[];
    approvals: readonly { status: string; expiresAt: Date | null }[];
  },
  now: Date,
): Deadline[] {
  const running = <T extends Expiring>(item: T): item is T & { expiresAt: Date } =>
    item.expiresAt !== null && !item.usedAt && !item.voidedAt && item.expiresAt > now;
  const deadlines: Deadline[] = [
    ...input.accessPasses.filter(running).map((p) => ({ kind: "pass" as const, at: p.expiresAt })),
    ...input.enrolmentLinks
      .filter(running)
      .map((l) => ({ kind: "enrolmentLink" as const, at: l.expiresAt })),
    ...input.stepLinks.filter(running).map((l) => ({
      kind: l.kind === "MANAGER_CONFIRMATION" ? ("managerLink" as const) : ("userLink" as const),
      at: l.expiresAt,
    })),
    ...input.approvals
      .filter((a) => a.status === "PENDING")
      .filter(running)
      .map((a) => ({ kind: "approval" as const, at: a.expiresAt })),
  ];
  return deadlines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export { formatDuration, timeLeft } from "./time-left";
