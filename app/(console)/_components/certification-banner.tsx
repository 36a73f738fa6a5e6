import Link from "next/link";
import { can } from "@/lib/domain/roles";
import { certificationBannerText } from "@/lib/server/practice/certification-sweep";
import { currentCertificationStatus } from "@/lib/server/practice/certification";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";

/**
 * A short line for the signed-in agent or supervisor when their practice certification expires
 * within the reminder window, has expired, or was never earned (docs/decisions/032). Nothing when
 * it is current, and nothing for roles that work no cases.
 */
export async function CertificationBanner({ staff }: { staff: CurrentStaff }) {
  if (!can(staff.role, "cases:work")) return null;
  const text = certificationBannerText(await currentCertificationStatus(staff.id));
  if (!text) return null;
  return (
    <p
      data-testid="certification-banner"
      className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900"
    >
      {text}{" "}
      <Link href="/practice" className="font-medium underline">
        Practise now
      </Link>
    </p>
  );
}
