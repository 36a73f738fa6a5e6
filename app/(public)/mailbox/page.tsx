import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { formatDateTime } from "@/components/status-badge";
import { demoMailbox, demoSignInEnabled } from "@/lib/env";
import { findDemoMail } from "@/lib/server/find-demo-mail";

export const metadata: Metadata = { title: "Demo mailbox", referrer: "no-referrer" };

/**
 * Demo only: what the console sent, as the recipients' own mail would show it, so a person
 * trying the demo can play the user and the manager. It does not exist with SMTP or without
 * demo sign-in (it would show everyone's mail to anyone).
 */
export default async function MailboxPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // NOTE: decided per request, never at build time: the build has no DEMO_SIGN_IN or SMTP_URL.
  await connection();
  if (!demoMailbox || !demoSignInEnabled) notFound();
  const { to } = await searchParams;
  const address = typeof to === "string" && to.length <= 320 ? to : undefined;
  const messages = await findDemoMail({ to: address });
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Demo mailbox</h1>
        <p className="mt-1 text-sm text-slate-600">
          Stands in for people’s own mail in the demo.{" "}
          {address ? `Showing mail to ${address}.` : "Showing the latest 50 messages."} New mail
          arrives within a few seconds.
        </p>
        <form method="get" className="mt-2 flex gap-2">
          <label htmlFor="to" className="sr-only">
            Address
          </label>
          <input
            id="to"
            name="to"
            type="email"
            defaultValue={address}
            placeholder="someone@northwind.example"
            className="w-72 rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          />
          <button
            type="submit"
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm"
          >
            Filter
          </button>
        </form>
      </div>
      {messages.length === 0 ? <p className="text-sm text-slate-600">No mail yet.</p> : null}
      <ol className="space-y-3">
        {messages.map((message) => (
          <li key={message.id}>
            <article
              aria-label={message.subject}
              className="rounded-lg border border-slate-200 bg-white p-4"
            >
              <header className="flex flex-wrap justify-between gap-2 text-xs text-slate-500">
                <span>To {message.toAddress}</span>
                <time dateTime={message.sentAt.toISOString()}>
                  {formatDateTime(message.sentAt)}
                </time>
              </header>
              <h2 className="mt-1 font-medium">{message.subject}</h2>
              <p className="mt-2 text-sm whitespace-pre-wrap">
                {message.body.split(/(https?:\/\/\S+)/g).map((part, i) =>
                  /^https?:\/\//.test(part) ? (
                    <a key={i} href={part} className="break-all text-indigo-700 underline">
                      {part}
                    </a>
                  ) : (
                    <span key={i}>{part}</span>
                  ),
                )}
              </p>
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}
