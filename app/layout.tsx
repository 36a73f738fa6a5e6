import type { Metadata } from "next";
import { connection } from "next/server";
import { OutcomeProvider } from "@/components/outcome";
import { SkipLink } from "@/components/skip-link";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Recovery Console", template: "%s · Recovery Console" },
  description: "Help desk console for passkey recovery: verify, recover, revoke, audit.",
  robots: { index: false, follow: false },
};

/**
 * Every page renders per request: its scripts carry that request's CSP nonce (proxy.ts). A page
 * prerendered at build time would have none, and the browser would refuse its scripts.
 * The skip link is the first thing a keyboard reaches on every page; every page's main landmark
 * has the id it points to (docs/accessibility.md).
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <SkipLink />
        <OutcomeProvider>{children}</OutcomeProvider>
      </body>
    </html>
  );
}
