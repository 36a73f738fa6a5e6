import "server-only";
import type { Message } from "@/lib/domain/notifications";
import type { Tx } from "./audit";
import { seal } from "./sealed";

/**
 * Queues a message in the caller's transaction (transactional outbox): it is sent only if the
 * decision commits, and never lost if sending fails. The body is sealed until delivery.
 */
export async function enqueueMessage(
  tx: Tx,
  input: { to: string; message: Message; subjectUserId?: string; caseId?: string },
): Promise<void> {
  await tx.outboxMessage.create({
    data: {
      kind: input.message.kind,
      toAddress: input.to,
      subject: input.message.subject,
      body: seal(input.message.body),
      subjectUserId: input.subjectUserId ?? null,
      caseId: input.caseId ?? null,
    },
  });
}
