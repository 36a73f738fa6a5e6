import "server-only";
/**
 * Where messages go: SMTP through nodemailer when SMTP_URL is set; in the demo without it, the
 * demo mailbox table that the /mailbox page shows (it stands in for people's own mail servers);
 * otherwise nowhere (every delivery fails and is retried, sealed, until SMTP is configured).
 */
import nodemailer from "nodemailer";
import { db } from "@/lib/db";
import { demoMailbox, env } from "@/lib/env";

export type MailTransport = {
  send: (mail: { to: string; subject: string; text: string }) => Promise<void>;
};

let smtp: nodemailer.Transporter | null = null;

export function mailTransport(): MailTransport {
  if (env.SMTP_URL) {
    smtp ??= nodemailer.createTransport(env.SMTP_URL);
    const transporter = smtp;
    return {
      async send(mail) {
        await transporter.sendMail({
          from: env.MAIL_FROM,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
        });
      },
    };
  }
  if (!demoMailbox) {
    // Not the demo and no SMTP: fail the delivery (the outbox keeps the message sealed and retries)
    // rather than store a pass or link where nobody will read it.
    return {
      async send() {
        throw new Error(
          "No mail transport: set SMTP_URL (the demo mailbox exists only with DEMO_SIGN_IN=on).",
        );
      },
    };
  }
  return {
    async send(mail) {
      await db.demoMailboxMessage.create({
        data: { toAddress: mail.to, subject: mail.subject, body: mail.text },
      });
    },
  };
}
