import "server-only";
import { db } from "@/lib/db";
import { mailTransport, type MailTransport } from "./mail-transport";
import { unseal } from "./sealed";
import { auditedTransaction } from "./audit";

const MAX_ATTEMPTS = 8;

/**
 * Sends due messages. Each is claimed with FOR UPDATE SKIP LOCKED, so several workers never
 * send one message twice; a failure is retried later with exponential backoff, and the error
 * kept (never the body). A sent message's body is wiped: the secret it carried is gone.
 */
export async function deliverOutbox(
  options: { transport?: MailTransport; limit?: number } = {},
): Promise<{ sent: number; failed: number }> {
  const transport = options.transport ?? mailTransport();
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < (options.limit ?? 50); i++) {
    const outcome = await auditedTransaction(db, async (tx) => {
      const [message] = await tx.$queryRaw<
        { id: string; toAddress: string; subject: string; body: string; attempts: number }[]
      >`
        SELECT id, "toAddress", subject, body, attempts FROM "OutboxMessage"
        WHERE "sentAt" IS NULL AND "availableAt" <= now() AND attempts < ${MAX_ATTEMPTS}
        ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;
      if (!message) return "empty" as const;
      try {
        await transport.send({
          to: message.toAddress,
          subject: message.subject,
          text: unseal(message.body),
        });
        await tx.outboxMessage.update({
          where: { id: message.id },
          data: { sentAt: new Date(), body: "", attempts: { increment: 1 }, lastError: null },
        });
        return "sent" as const;
      } catch (error) {
        const delaySeconds = Math.min(3600, 5 * 2 ** message.attempts);
        await tx.outboxMessage.update({
          where: { id: message.id },
          data: {
            attempts: { increment: 1 },
            availableAt: new Date(Date.now() + delaySeconds * 1000),
            lastError: String((error as Error)?.message ?? error).slice(0, 500),
          },
        });
        return "failed" as const;
      }
    });
    if (outcome === "empty") break;
    if (outcome === "sent") sent++;
    else failed++;
  }
  return { sent, failed };
}
