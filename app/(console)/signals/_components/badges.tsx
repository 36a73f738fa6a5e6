import { Badge } from "@/components/ui/badge";
import { SIGNAL_EFFECT_LABELS } from "@/lib/domain/fraud-signals";
import type { SignalEffect } from "@/lib/domain/recovery-policy";

export function EffectBadge({ effect }: { effect: SignalEffect }) {
  return (
    <Badge tone={effect === "stop" ? "bad" : effect === "escalate" ? "warn" : "info"}>
      {SIGNAL_EFFECT_LABELS[effect]}
    </Badge>
  );
}

const STATUS = {
  OPEN: ["Open", "warn"],
  REVIEWED: ["Confirmed", "bad"],
  DISMISSED: ["Dismissed", "neutral"],
} as const;

export function StatusBadge({ status }: { status: keyof typeof STATUS }) {
  const [label, tone] = STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}
