/**
 * A wide table's own horizontal scroll, so the page itself never scrolls sideways on a phone
 * (390 px). For a table with nothing focusable in it: the region takes focus, so a keyboard can
 * scroll it, and is named for a screen reader. A table with links or buttons needs only
 * `overflow-x-auto` (focusing them scrolls it).
 */
export function ScrollRegion({
  label,
  className = "",
  children,
}: {
  label: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={`overflow-x-auto ${className}`}>
      {children}
    </div>
  );
}
