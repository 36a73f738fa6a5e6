/**
 * Workforce vocabulary shared by the directory, the user page and the seed.
 */
import { z } from "zod";
import { COVERAGE_KEYS } from "./coverage";
import { plainText } from "./plain-text";

export const RISK_TIERS = [
  "STANDARD",
  "HIGH_RISK",
  "PRIVILEGED",
  "CONTRACTOR",
  "FRONTLINE",
] as const;
export type RiskTier = (typeof RISK_TIERS)[number];
export const RISK_TIER_LABELS: Record<RiskTier, string> = {
  STANDARD: "Standard",
  HIGH_RISK: "High-risk",
  PRIVILEGED: "Privileged",
  CONTRACTOR: "Contractor",
  FRONTLINE: "Frontline / shared device",
};

export const EMPLOYMENT_STATUSES = ["ACTIVE", "LEAVING", "LEFT", "SUSPENDED"] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

/**
 * A leaver cannot be recovered nor sign in: status LEFT or SUSPENDED, or a leaving date that has
 * passed. The console offers only revocation for them.
 */
export function isLeaver(
  user: { status: EmploymentStatus; leavingOn: Date | null },
  today: Date,
): boolean {
  if (user.status === "LEFT" || user.status === "SUSPENDED") return true;
  return user.leavingOn !== null && user.leavingOn.getTime() < startOfUtcDay(today).getTime();
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The last page the directory offers: past it, narrow the search. */
export const DIRECTORY_MAX_PAGE = 1000;

/**
 * The directory's query string, parsed at the boundary. Unknown keys are ignored (links may carry
 * others). What `q` means (a name, a phone number, part of an employee ID…) is read by
 * parseDirectoryQuery (directory-query.ts).
 */
export const DirectorySearchSchema = z.object({
  q: plainText({ label: "The search", max: 100, tooLong: "Search for at most 100 characters." })
    .regex(
      /^[\p{L}\p{N} .@'_+(),/-]*$/u,
      "Search by name, email, phone or employee ID (letters, digits, spaces and . @ ' _ + - ( ) , /).",
    )
    .optional()
    .transform((v) => (v ? v : undefined)),
  tier: z.enum(RISK_TIERS, { message: "Unknown risk tier." }).optional(),
  status: z.enum(EMPLOYMENT_STATUSES, { message: "Unknown employment status." }).optional(),
  // The rollout report's links (docs/decisions/038): the people behind a coverage figure, in a
  // wave ("none": no wave takes them) and a department.
  coverage: z.enum(COVERAGE_KEYS, { message: "Unknown coverage figure." }).optional(),
  wave: z.union([z.literal("none"), z.uuid()], { error: "That is not a rollout wave." }).optional(),
  department: plainText({ label: "The department", max: 80 })
    .optional()
    .transform((v) => (v ? v : undefined)),
  page: z.coerce
    .number({ message: "Page must be a number." })
    .int("Page must be a whole number.")
    .min(1, "Pages start at 1.")
    .max(DIRECTORY_MAX_PAGE, "Narrow the search instead of paging that far.")
    .default(1),
});
export type DirectorySearch = z.output<typeof DirectorySearchSchema>;

/**
 * The directory's summary line. Matches are counted up to a cap (lib/server/workforce-directory.ts):
 * past it the line says "1,000+ users" and the page number without a page count.
 */
export function directorySummary(result: {
  total: number;
  capped: boolean;
  pageCount: number | null;
  page: number;
  shown: number;
}): string {
  const count = `${result.total.toLocaleString("en")}${result.capped ? "+" : ""}`;
  const users = `${count} user${result.total === 1 && !result.capped ? "" : "s"}`;
  if (result.total === 0) return "No users match.";
  if (result.shown === 0)
    return result.pageCount === null
      ? `${users}; none on page ${result.page}: go back.`
      : `${users}; none on page ${result.page}: the search has ${result.pageCount} page${result.pageCount === 1 ? "" : "s"}.`;
  if (result.pageCount === null) return `${users} · page ${result.page}`;
  return result.pageCount > 1 ? `${users} · page ${result.page} of ${result.pageCount}` : users;
}

export const WorkforceUserIdSchema = z.uuid({ message: "That is not a user ID." });
