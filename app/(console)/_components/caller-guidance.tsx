import Link from "next/link";
import type { Guidance, GuidanceAction } from "@/lib/domain/caller-guidance";

const LABELS: Record<GuidanceAction["kind"], string> = {
  "reopen-step": "Reopen the step",
  "resend-link": "Send a new request",
  "request-reenrolment": "Request re-enrolment",
  "issue-pass": "Issue a new pass",
  "close-case": "Close the case",
  "hand-over": "Hand over",
  revoke: "Revoke passkeys",
  "clear-hold": "Clear the hold",
  "open-user": "Open the person’s page",
  approvals: "Open Approvals",
};

/**
 * Where each action lives: a form on this case page (its section or step), or the person's page.
 * The guidance offers an action only where the page shows its form (lib/domain/caller-guidance.ts).
 */
function hrefFor(action: GuidanceAction, where: { userId: string; onUserPage: boolean }): string {
  const user = where.onUserPage ? "" : `/users/${where.userId}`;
  switch (action.kind) {
    case "reopen-step":
    case "resend-link":
      return `#step-${action.step.toLowerCase()}`;
    case "request-reenrolment":
      return "#reenrolment";
    case "issue-pass":
      return "#tap";
    case "close-case":
    case "hand-over":
      return "#close";
    case "revoke":
      return `${user}#passkeys`;
    case "clear-hold":
      return `${user}#holds`;
    case "open-user":
      return where.onUserPage ? "#recovery" : user;
    case "approvals":
      return "/approvals";
  }
}

const TONES = {
  stop: "border-rose-200 bg-rose-50 text-rose-950",
  wait: "border-amber-200 bg-amber-50 text-amber-950",
} as const;

/**
 * A dead end, guided (decision 025): what happened, the words to read to the caller, what not to
 * say, and what can happen next with a link to each action the viewer can take. A polite status
 * region: it appears after a refusal re-renders the page, and a screen reader announces it.
 */
export function CallerGuidance({
  guidance,
  userId,
  onUserPage = false,
}: {
  guidance: Guidance | null;
  userId: string;
  onUserPage?: boolean;
}) {
  if (!guidance) return null;
  return (
    <section
      role="status"
      aria-label="What to tell the caller"
      data-situation={guidance.situation}
      className={`rounded-md border p-4 text-sm ${TONES[guidance.tone]}`}
    >
      <p className="font-medium">{guidance.title}</p>
      <h3 className="mt-3 text-xs font-semibold tracking-wide uppercase">Say to the caller</h3>
      <blockquote className="mt-1 rounded bg-white/70 p-2">“{guidance.say}”</blockquote>
      {guidance.avoid ? (
        <p className="mt-2">
          <span className="font-medium">Don’t:</span> {guidance.avoid}
        </p>
      ) : null}
      <h3 className="mt-3 text-xs font-semibold tracking-wide uppercase">What can happen next</h3>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {guidance.next.map((step, index) => (
          <li key={index}>
            {step.text}
            {step.action ? (
              <>
                {" "}
                <Link
                  href={hrefFor(step.action, { userId, onUserPage })}
                  className="font-medium text-indigo-700 hover:underline"
                >
                  {LABELS[step.action.kind]}
                </Link>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
