import "server-only";
import type { Message } from "@/lib/domain/notifications";
import type { Tx } from "./audit";
import { seal } from "./sealed";
import { utcTimestamp } from "./sql-time";
import { txSql } from "./tx-sql";

/**
 * Queues a message in the caller's transaction (transactional outbox): it is sent only if the
 * decision commits, and never lost if sending fails. The body is sealed until delivery.
 */
export async function enqueueMessage(
  tx: Tx,
  input: { to: string; message: Message; subjectUserId?: string; caseId?: string },
): Promise<void> {
  await enqueueMessages(tx, { ...input, to: [input.to] });
}

/**
 * The same message to several addresses (a person's verified addresses), one row each, in one
 * statement: one round trip however many addresses (docs/decisions/044).
 */
export async function enqueueMessages(
  tx: Tx,
  input: { to: readonly string[]; message: Message; subjectUserId?: string; caseId?: string },
): Promise<void> {
  if (input.to.length === 0) return;
  const now = utcTimestamp(new Date());
  // Each row its own sealing (its own nonce), as if queued one by one.
  const bodies = input.to.map(() => seal(input.message.body));
  await txSql(tx).execute`/* prepared */
    INSERT INTO "OutboxMessage"
      (kind, "toAddress", subject, body, "subjectUserId", "caseId", "availableAt", "createdAt")
    SELECT ${input.message.kind}, queued.address, ${input.message.subject}, queued.body,
      ${input.subjectUserId ?? null}::uuid, ${input.caseId ?? null}::uuid, ${now}, ${now}
    FROM unnest(${[...input.to]}::text[], ${bodies}::text[]) WITH ORDINALITY
      AS queued(address, body, n)
    ORDER BY queued.n`;
}
