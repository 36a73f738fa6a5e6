import { Badge, type BadgeTone } from "@/components/ui/badge";
import { RISK_TIER_LABELS, type EmploymentStatus, type RiskTier } from "@/lib/domain/workforce";

const tierTone: Record<RiskTier, BadgeTone> = {
  STANDARD: "neutral",
  HIGH_RISK: "bad",
  PRIVILEGED: "bad",
  CONTRACTOR: "warn",
  FRONTLINE: "info",
};

export function TierBadge({ tier }: { tier: RiskTier }) {
  return <Badge tone={tierTone[tier]}>{RISK_TIER_LABELS[tier]}</Badge>;
}

const statusLabel: Record<EmploymentStatus, string> = {
  ACTIVE: "Active",
  LEAVING: "Leaving",
  LEFT: "Left",
  SUSPENDED: "Suspended",
};
const statusTone: Record<EmploymentStatus, BadgeTone> = {
  ACTIVE: "good",
  LEAVING: "warn",
  LEFT: "bad",
  SUSPENDED: "bad",
};

export function EmploymentBadge({
  status,
  leavingOn,
}: {
  status: EmploymentStatus;
  leavingOn?: Date | null;
}) {
  const date = leavingOn ? ` ${formatDate(leavingOn)}` : "";
  return (
    <Badge tone={statusTone[status]}>
      {status === "ACTIVE" ? statusLabel[status] : `${statusLabel[status]}${date}`}
    </Badge>
  );
}

export function formatDate(date: Date): string {
  return date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

export function formatDateTime(date: Date): string {
  return date.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
    timeZoneName: "short",
  });
}
