import { describe, expect, it } from "vitest";
import { caseOpenedNotice } from "@/lib/domain/notifications";
import { db } from "@/tests/db";
import { deliverOutbox } from "./deliver-outbox";
import { enqueueMessage } from "./enqueue-message";
import type { MailTransport } from "./mail-transport";
import { auditedTransaction } from "./audit";

const message = (to: string) => ({
  to,
  message: caseOpenedNotice({
    name: "Ada",
    reason: "Lost device",
    reportUrl: "https://console.example/report/x",
  }),
});

describe("the outbox", () => {
  it("delivers what committed, once, and wipes the body", async () => {
    const to = `deliver-${Date.now()}@northwind.example`;
    await auditedTransaction(db, (tx) => enqueueMessage(tx, message(to)));
    const sent: { to: string; subject: string; text: string }[] = [];
    const transport: MailTransport = { send: async (mail) => void sent.push(mail) };

    await deliverOutbox({ transport });
    await deliverOutbox({ transport });

    expect(sent.filter((m) => m.to === to)).toEqual([
      {
        to,
        subject: "Someone called the service desk about your sign-in",
        text: expect.stringContaining("If this wasn't you"),
      },
    ]);
    expect(await db.outboxMessage.findFirstOrThrow({ where: { toAddress: to } })).toMatchObject({
      body: "",
      attempts: 1,
      lastError: null,
    });
  });

  it("keeps a message whose sending failed, for a later retry with backoff", async () => {
    const to = `retry-${Date.now()}@northwind.example`;
    await auditedTransaction(db, (tx) => enqueueMessage(tx, message(to)));
    await deliverOutbox({
      transport: { send: async () => Promise.reject(new Error("SMTP 451 try later")) },
    });

    const kept = await db.outboxMessage.findFirstOrThrow({ where: { toAddress: to } });
    expect(kept).toMatchObject({ sentAt: null, attempts: 1, lastError: "SMTP 451 try later" });
    expect(kept.body).toMatch(/^sealed:v1:/);
    expect(kept.availableAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("sends nothing for work that rolled back", async () => {
    const to = `rollback-${Date.now()}@northwind.example`;
    await expect(
      auditedTransaction(db, async (tx) => {
        await enqueueMessage(tx, message(to));
        throw new Error("the decision failed");
      }),
    ).rejects.toThrow("the decision failed");
    expect(await db.outboxMessage.count({ where: { toAddress: to } })).toBe(0);
  });
});
