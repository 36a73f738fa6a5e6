"use client";

import { useActionState, useSyncExternalStore } from "react";
import { idle, invalidMessages, type ActionState } from "@/lib/action-state";
import { useStepUpPrompt } from "./step-up-context";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const noSubscription = () => () => {};

/**
 * False in the server's HTML and until React has hydrated this form, true after: a submit before
 * hydration would reach the server without its action and fail, so the buttons wait for it.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * A form bound to a server action, showing its outcome: a success in a polite status region,
 * a refusal or invalid input as an alert. Children get `pending` to disable their buttons: true
 * while the action runs, and before the form is hydrated (so a fast click cannot send a form
 * that does not yet carry its action). A refusal for want of a fresh step-up also shows how to
 * confirm it's you (components/step-up-context.tsx).
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
  const hydrated = useHydrated();
  const stepUpPrompt = useStepUpPrompt();
  return (
    <form
      action={formAction}
      className={className}
      aria-label={label}
      aria-busy={!hydrated || pending}
    >
      {children(pending || !hydrated)}
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
      {state.status === "refused" && state.stepUp && stepUpPrompt
        ? stepUpPrompt(state.stepUp)
        : null}
    </form>
  );
}
