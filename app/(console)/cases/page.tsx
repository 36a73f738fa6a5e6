import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/session";
import { ComingSoon } from "../_components/coming-soon";

export const metadata: Metadata = { title: "Cases" };

export default async function Page() {
  await requirePermission("cases:work", "/cases");
  return (
    <ComingSoon title="Cases" issue={3}>
      Open a case from a user’s page, walk the verification script the policy picks, and issue a temporary access pass once the server judges the checklist complete.
    </ComingSoon>
  );
}
