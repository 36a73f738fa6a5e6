import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/session";
import { ComingSoon } from "../_components/coming-soon";

export const metadata: Metadata = { title: "Audit trail" };

export default async function Page() {
  await requirePermission("audit:read", "/audit");
  return (
    <ComingSoon title="Audit trail" issue={5}>
      Search, verify and export the tamper-evident audit trail. Until then, each user’s page lists the latest events about them.
    </ComingSoon>
  );
}
