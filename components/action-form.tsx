"use client";

import {
  startTransition,
  useActionState,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
} from "react";
import { idle, type ActionState } from "@/lib/action-state";
import { OutcomeMessage, outcomeOf, useOutcomeFocus, type Outcome } from "./outcome";
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
 * a refusal or invalid input as an alert, focused as it appears (components/outcome.tsx: where
 * the form is gone once the page re-renders, the outcome is shown and focused where it stood).
 * Children get `pending` to disable their buttons: true while the action runs, and before the
 * form is hydrated (so a fast click cannot send a form that does not yet carry its action). A
 * refusal for want of a fresh step-up also shows how to confirm it's you
 * (components/step-up-context.tsx).
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
  const hydrated = useHydrated();
  // The answer as it arrives, before React renders it: the same re-render may take this form out
  // of the page, and then the page shows the answer in its place.
  const unshownRef = useRef<Outcome | null>(null);
  const tracked = useCallback<Action>(
    async (previous, formData) => {
      const next = await action(previous, formData);
      unshownRef.current = outcomeOf(next);
      return next;
    },
    [action],
  );
  // The server's HTML carries the server action itself, so the form still posts without scripts.
  const [state, formAction, pending] = useActionState(hydrated ? tracked : action, idle);
  const outcome = useMemo(() => outcomeOf(state), [state]);
  const { root, message } = useOutcomeFocus<HTMLFormElement>(outcome, unshownRef);
  const stepUpPrompt = useStepUpPrompt();
  // React empties a form whose action it runs, refusals included: an agent whose note was refused
  // for its length would lose it. Once hydrated, the form sends itself (the same action, in a
  // transition) so nothing is emptied, and is emptied here only after a success.
  const submit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(formData));
  };
  useEffect(() => {
    if (state.status === "ok") root.current?.reset();
  }, [state, root]);
  return (
    <form
      ref={root}
      action={formAction}
      onSubmit={hydrated ? submit : undefined}
      className={className}
      aria-label={label}
      aria-busy={!hydrated || pending}
    >
      {children(pending || !hydrated)}
      {outcome ? <OutcomeMessage outcome={outcome} ref={message} /> : null}
      {state.status === "refused" && state.stepUp && stepUpPrompt
        ? stepUpPrompt(state.stepUp)
        : null}
    </form>
  );
}
