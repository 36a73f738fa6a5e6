import { Prisma } from "@/generated/prisma/client";

/**
 * A moment as a value for raw SQL against Prisma's DateTime columns, which are timestamps without
 * a zone holding UTC (what Prisma itself writes), whatever the session's time zone.
 */
export function utcTimestamp(moment: Date): Prisma.Sql {
  return Prisma.sql`(${moment.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}
