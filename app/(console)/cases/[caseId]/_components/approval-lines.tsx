import { formatDateTime } from "@/components/status-badge";
import { TimeLeft } from "@/components/time-left";
import { approvalLapsed } from "@/lib/domain/approval";

type ApprovalLine = {
  id: string;
  status: string;
  needReason: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date | null;
};

/**
 * The case's re-enrolment requests, newest first, as lines of the Re-enrolment section: one
 * waiting says until when (and how long is left); one nobody decided in time says when it lapsed
 * and, on the newest when the agent may, to request again.
 */
export function ApprovalLines({
  approvals,
  now,
  askAgain,
}: {
  approvals: readonly ApprovalLine[];
  now: Date;
  askAgain: boolean;
}) {
  return approvals.map((approval, index) => {
    const lapsed =
      approval.status === "EXPIRED" ||
      (approval.status === "PENDING" && approvalLapsed(approval.expiresAt, now));
    if (lapsed)
      return (
        <li key={approval.id} className={index === 0 ? "font-medium text-amber-900" : undefined}>
          The supervisor’s approval lapsed
          {approval.expiresAt ? ` at ${formatDateTime(approval.expiresAt)}` : ""}
          {index === 0 && askAgain ? "; request again" : ""}. ({approval.needReason} · requested{" "}
          {formatDateTime(approval.createdAt)})
        </li>
      );
    return (
      <li key={approval.id}>
        Approval {approval.status.toLowerCase()} ({approval.needReason})
        {approval.reason ? `: ${approval.reason}` : ""} · requested{" "}
        {formatDateTime(approval.createdAt)}
        {approval.status === "PENDING" && approval.expiresAt ? (
          <>
            {" "}
            · lapses {formatDateTime(approval.expiresAt)} (
            <TimeLeft at={approval.expiresAt.toISOString()} serverNow={now.toISOString()} />)
          </>
        ) : null}
      </li>
    );
  });
}
