import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/session";
import { ComingSoon } from "../_components/coming-soon";

export const metadata: Metadata = { title: "Approvals" };

export default async function Page() {
  await requirePermission("approvals:decide", "/approvals");
  return (
    <ComingSoon title="Approvals" issue={4}>
      Supervisors will see pending re-enrolment requests with their evidence here and approve or deny them (never their own).
    </ComingSoon>
  );
}
