import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { getCurrentStaff } from "@/lib/auth/session";
import { can, ROLE_LABELS, type Permission } from "@/lib/domain/roles";
import { countWaitingApprovals } from "@/lib/server/find-pending-approvals";
import { signOut } from "./actions";
import { NavLinks } from "./_components/nav-links";
import { StepUpProvider } from "./_components/step-up";
import { LiveProvider, LiveTopics } from "./_components/live";
import { liveStamp } from "@/lib/server/live-stream";
import Link from "next/link";
import { MAIN_ID } from "@/components/skip-link";
import { CertificationBanner } from "./_components/certification-banner";

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: "/users", label: "Users", permission: "users:read" },
  { href: "/cases", label: "Cases", permission: "cases:read" },
  { href: "/approvals", label: "Approvals", permission: "approvals:decide" },
  { href: "/audit", label: "Audit", permission: "audit:read" },
  { href: "/reports", label: "Reports", permission: "reports:read" },
  { href: "/policy", label: "Policy", permission: "policy:read" },
  { href: "/practice", label: "Practice", permission: "practice:play" },
  { href: "/signals", label: "Signals", permission: "signals:review" },
  { href: "/settings/webhooks", label: "Webhooks", permission: "webhooks:manage" },
  { href: "/ssf-receivers", label: "Receivers", permission: "ssf:manage" },
  { href: "/settings/scim", label: "Provisioning", permission: "scim:manage" },
  { href: "/settings/rollout", label: "Rollout", permission: "rollout:manage" },
  { href: "/keys", label: "Security keys", permission: "keys:read" },
];

/**
 * The signed-in shell. The navigation only hints at what a role may open: every page checks
 * its own permission (lib/auth/session.ts requirePermission).
 */
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const staff = await getCurrentStaff();
  // Signed out: each page redirects to sign-in itself, keeping its own address to come back to.
  if (!staff) return children;
  // The approvals badge: requests this supervisor may decide now (one query, on every page).
  const waiting = can(staff.role, "approvals:decide") ? await countWaitingApprovals(staff) : 0;
  const links = SECTIONS.filter((section) => can(staff.role, section.permission)).map((section) =>
    section.href === "/approvals" ? { ...section, waiting } : section,
  );
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
            <span className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">
              Recovery Console
            </span>
            <nav aria-label="Main">
              <NavLinks links={links} />
            </nav>
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <div className="text-right">
              <p className="text-sm font-medium">{staff.name}</p>
              <p className="text-xs text-slate-500">
                {staff.role === "SECURITY" ? "All teams" : (staff.team ?? "No team")}
              </p>
            </div>
            <Badge tone="info">{ROLE_LABELS[staff.role]}</Badge>
            <Link href="/passkeys" className="text-sm font-medium text-indigo-700 hover:underline">
              Your passkeys
            </Link>
            <form action={signOut}>
              <Button type="submit" variant="ghost">
                Sign out
              </Button>
            </form>
          </div>
        </div>
      </header>
      <main id={MAIN_ID} tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <LiveProvider>
          {can(staff.role, "approvals:decide") ? (
            <LiveTopics topics={["approvals"]} stamp={await liveStamp()} />
          ) : null}
          <CertificationBanner staff={staff} />
          <StepUpProvider>{children}</StepUpProvider>
        </LiveProvider>
      </main>
    </div>
  );
}
