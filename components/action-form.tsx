"use client";

import { useActionState } from "react";
import { idle, invalidMessages, type ActionState } from "@/lib/action-state";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * A form bound to a server action, showing its outcome: a success in a polite status region,
 * a refusal or invalid input as an alert. Children get `pending` to disable their buttons.
 */
export function ActionForm({
  action,
  children,
  className = "",
  label,
}: {
  action: Action;
  children: (pending: boolean) => React.ReactNode;
  className?: string;
  label?: string;
}) {
  const [state, formAction, pending] = useActionState(action, idle);
  return (
    <form action={formAction} className={className} aria-label={label}>
      {children(pending)}
      {state.status === "ok" ? (
        <p role="status" className="mt-2 text-sm text-emerald-800">
          {state.message}
        </p>
      ) : null}
      {state.status === "refused" || state.status === "invalid" ? (
        <p role="alert" className="mt-2 text-sm text-rose-700">
          {state.status === "refused" ? state.message : invalidMessages(state)}
        </p>
      ) : null}
    </form>
  );
}
