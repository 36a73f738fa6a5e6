import "server-only";
import { db } from "@/lib/db";

/** The demo mailbox, newest first, optionally for one address. */
export async function findDemoMail(options: { to?: string; limit?: number } = {}) {
  return db.demoMailboxMessage.findMany({
    where: options.to ? { toAddress: options.to.toLowerCase() } : {},
    orderBy: { sentAt: "desc" },
    take: options.limit ?? 50,
  });
}
