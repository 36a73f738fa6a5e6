import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// A real SMTP server on loopback receives what nodemailer sends (no mock of the transport).
const received: ParsedMail[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => received.push(mail))
      .then(() => callback(), callback);
  },
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  vi.stubEnv("SMTP_URL", `smtp://127.0.0.1:${port}`);
  vi.stubEnv("MAIL_FROM", "Northwind IT Service Desk <service-desk@northwind.example>");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("mail transport", () => {
  it("sends through SMTP when SMTP_URL is set, from MAIL_FROM, as plain text", async () => {
    // Imported after SMTP_URL is set: lib/env reads it once.
    const { mailTransport } = await import("./mail-transport");
    await mailTransport().send({
      to: "ada@personal.example",
      subject: "Your temporary access pass",
      text: "Hello Ada,\n\n    7K3M-9QXA-2B4C-8D0E\n",
    });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(received[0]!.from?.text).toBe(
      '"Northwind IT Service Desk" <service-desk@northwind.example>',
    );
    expect(received[0]!.to).toMatchObject({ text: "ada@personal.example" });
    expect(received[0]!.subject).toBe("Your temporary access pass");
    expect(received[0]!.text).toContain("7K3M-9QXA-2B4C-8D0E");
  });
});
