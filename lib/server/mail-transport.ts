import "server-only";
/**
 * Where messages go: SMTP through nodemailer when SMTP_URL is set, otherwise the demo mailbox
 * table that the /mailbox page shows (it stands in for people's own mail servers).
 */
import nodemailer from "nodemailer";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

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
  return {
    async send(mail) {
      await db.demoMailboxMessage.create({
        data: { toAddress: mail.to, subject: mail.subject, body: mail.text },
      });
    },
  };
}
