/**
 * The `id` of every page's main landmark, which the skip link points to. Each `<main>` carries it
 * with `tabIndex={-1}`, so following the link (or a navigation, components/outcome.tsx) can move
 * focus there.
 */
export const MAIN_ID = "main";

/** "Skip to content": the first thing a keyboard reaches on every page (app/layout.tsx). */
export function SkipLink() {
  return (
    <a href={`#${MAIN_ID}`} className="skip-link">
      Skip to content
    </a>
  );
}
