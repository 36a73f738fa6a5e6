import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Recovery Console", template: "%s · Recovery Console" },
  description: "Help desk console for passkey recovery: verify, recover, revoke, audit.",
  robots: { index: false, follow: false },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
