import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/session";
import { ComingSoon } from "../_components/coming-soon";

export const metadata: Metadata = { title: "Reports" };

export default async function Page() {
  await requirePermission("reports:read", "/reports");
  return (
    <ComingSoon title="Reports" issue={5}>
      Cases by reason, tier and outcome; time to revocation; outstanding TAPs; approval times; red flags per agent.
    </ComingSoon>
  );
}
