"use client";

import { usePathname } from "next/navigation";
import {
  createContext,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type RefObject,
} from "react";
import { createPortal } from "react-dom";
import { invalidMessages, type ActionState } from "@/lib/action-state";
import { MAIN_ID } from "./skip-link";

/**
 * Where focus goes after an action (docs/accessibility.md): to what the action answered. A form
 * or a passkey button shows its outcome in a focusable live region (a status for a success, an
 * alert for a refusal) and moves focus there. When the page re-renders without the form (a
 * recorded step's form is gone once it is recorded, a decided approval leaves the queue), the
 * outcome is shown where the form stood and focused there instead, so focus never falls back to
 * the page body. After a navigation that took focus away with the old page (a redirect after an
 * action, a link inside the page), focus goes to the new page's main heading.
 */

/** What an action or a ceremony answered: a success (a status) or a refusal (an alert). */
export type Outcome = { ok: boolean; text: string };

/** An action's state as the outcome a form shows, or null while nothing was answered. */
export function outcomeOf(state: ActionState): Outcome | null {
  switch (state.status) {
    case "idle":
      return null;
    case "ok":
      return { ok: true, text: state.message };
    case "refused":
      return { ok: false, text: state.message };
    case "invalid":
      return { ok: false, text: invalidMessages(state) };
  }
}

// Marks an outcome's message (OutcomeMessage's data-outcome), to tell whether focus is on one.
const MARK = "data-outcome";

/** A focusable live region with an outcome: `role=status` for a success, `role=alert` for a refusal. */
export function OutcomeMessage({
  outcome,
  ref,
  className = "mt-2",
}: {
  outcome: Outcome;
  ref?: RefObject<HTMLParagraphElement | null>;
  className?: string;
}) {
  return (
    <p
      ref={ref}
      role={outcome.ok ? "status" : "alert"}
      tabIndex={-1}
      data-outcome=""
      className={`text-sm ${outcome.ok ? "text-emerald-800" : "text-rose-700"} ${className}`}
    >
      {outcome.text}
    </p>
  );
}

/** One step of the path from <body> down to an element: a parent and what followed the path in it. */
export type Spot = { parent: Element; before: Node | null };

/** The path to an element, nearest parent first, while it is still in the page. */
export function spotsOf(element: Element): Spot[] {
  const spots: Spot[] = [];
  for (let node: Element = element; node.parentElement; node = node.parentElement)
    spots.push({ parent: node.parentElement, before: node.nextSibling });
  return spots;
}

// A <div> is not allowed inside these: an outcome goes next to them instead.
const NO_DIV_INSIDE = new Set([
  "HTML",
  "UL",
  "OL",
  "MENU",
  "DL",
  "TABLE",
  "THEAD",
  "TBODY",
  "TFOOT",
  "TR",
  "SELECT",
  "OPTGROUP",
  "DATALIST",
  "P",
]);

/**
 * Where an outcome stands in for an element that is gone: in its nearest parent still in the
 * page (one a <div> may go in), where the element was.
 */
export function placeAmong(spots: Spot[]): Spot | null {
  for (const { parent, before } of spots) {
    if (!parent.isConnected || NO_DIV_INSIDE.has(parent.tagName)) continue;
    return { parent, before: before?.parentNode === parent ? before : null };
  }
  return null;
}

type Placement = {
  /** Shows an outcome where an element was (its `spotsOf`, taken before it went), and focuses it. */
  show: (outcome: Outcome, spots: Spot[]) => void;
  /** Takes away an outcome shown that way: a newer one is shown by its own form. */
  clear: () => void;
};

const PlacementContext = createContext<Placement | null>(null);

/**
 * Focus for a control that shows an outcome (a form, a passkey button): when a new outcome is
 * shown, focus moves to its message (`message`); when the control leaves the page while focus is
 * on that message, or with an outcome it never got to show (`unshown`, set by a form whose
 * action's answer arrived with the re-render that removed it), the page shows that outcome where
 * the control's element (`root`) stood, and focuses it there. An outcome the person has moved on
 * from (focus elsewhere) goes with its control.
 */
export function useOutcomeFocus<T extends HTMLElement>(
  outcome: Outcome | null,
  unshownRef?: RefObject<Outcome | null>,
) {
  const root = useRef<T>(null);
  const message = useRef<HTMLParagraphElement>(null);
  const shown = useRef<Outcome | null>(null);
  const placement = useContext(PlacementContext);
  useEffect(() => {
    shown.current = outcome;
    if (!outcome) return;
    if (unshownRef) unshownRef.current = null;
    placement?.clear();
    message.current?.focus();
  }, [outcome, placement, unshownRef]);
  // A layout effect's cleanup runs before React takes the element out of the page, while focus
  // and the element's place can still be read.
  useLayoutEffect(() => {
    const element = root.current;
    return () => {
      if (!element || !placement) return;
      const active = document.activeElement;
      const onMessage = active !== null && element.contains(active) && active.hasAttribute(MARK);
      const pending = unshownRef?.current ?? (onMessage ? shown.current : null);
      if (pending) placement.show(pending, spotsOf(element));
    };
  }, [placement, unshownRef]);
  return { root, message };
}

type Shown = { outcome: Outcome; spots: Spot[]; container: HTMLDivElement; pathname: string };

/**
 * Around every page (app/layout.tsx): shows the outcomes whose forms are gone, and moves focus
 * to the new page's main heading after a navigation that left it on nothing.
 */
export function OutcomeProvider({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  // The page's path as of the last commit: a control that goes with a navigation reports from
  // the page it was on, and its outcome is not shown on the next one.
  const committed = useRef(pathname);
  const [shown, setShown] = useState<Shown | null>(null);
  const message = useRef<HTMLParagraphElement>(null);
  const placement = useMemo<Placement>(
    () => ({
      show: (outcome, spots) =>
        setShown({
          outcome,
          spots,
          container: document.createElement("div"),
          pathname: committed.current,
        }),
      clear: () => setShown(null),
    }),
    [],
  );
  // An outcome belongs to the page it was shown on.
  const visible = shown && shown.pathname === pathname ? shown : null;
  useLayoutEffect(() => {
    if (!visible) return;
    const spot = placeAmong(visible.spots);
    const parent = spot?.parent ?? document.getElementById(MAIN_ID) ?? document.body;
    parent.insertBefore(visible.container, spot?.before ?? null);
    message.current?.focus();
    return () => visible.container.remove();
  }, [visible]);

  useEffect(() => {
    if (committed.current === pathname) return;
    committed.current = pathname;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const main = document.getElementById(MAIN_ID);
    const heading = main?.querySelector("h1");
    if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    (heading ?? main)?.focus();
  }, [pathname]);

  return (
    <PlacementContext.Provider value={placement}>
      {children}
      {visible
        ? createPortal(
            <OutcomeMessage outcome={visible.outcome} ref={message} className="my-2" />,
            visible.container,
          )
        : null}
    </PlacementContext.Provider>
  );
}
