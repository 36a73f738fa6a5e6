/**
 * A small bar chart, drawn on the server: one bar per key (the rows come sorted, largest first),
 * scaled to the largest count, with the count written beside it. It ships no JavaScript (a
 * charting library cost /reports over 100 kB gz of first-load JS for these five charts: issue 11),
 * draws before any script runs, and holds nothing that takes keyboard focus. The drawing is
 * hidden from screen readers, which read the same numbers from a list.
 */
export function CountChart({
  title,
  data,
}: {
  title: string;
  data: { key: string; count: number }[];
}) {
  const rows = data.map((d) => ({ name: d.key.toLowerCase().replace(/_/g, " "), count: d.count }));
  const largest = Math.max(1, ...rows.map((row) => row.count));
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="text-sm font-semibold">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">None in this period.</p>
      ) : (
        <>
          <div className="mt-3 space-y-2" aria-hidden="true" data-chart="bars">
            {rows.map((row) => (
              <div
                key={row.name}
                className="grid grid-cols-[minmax(0,8rem)_1fr_2.5rem] items-center gap-2 text-xs"
              >
                <span className="break-words text-slate-700">{row.name}</span>
                {/* SVG attributes, not inline styles: nothing for the content security policy to allow. */}
                <svg className="h-4 w-full">
                  <rect width="100%" height="100%" rx="3" className="fill-slate-100" />
                  <rect
                    width={`${((row.count / largest) * 100).toFixed(2)}%`}
                    height="100%"
                    rx="3"
                    className="fill-indigo-600"
                  />
                </svg>
                <span className="text-right font-medium tabular-nums text-slate-800">
                  {row.count}
                </span>
              </div>
            ))}
          </div>
          <ul className="sr-only">
            {rows.map((row) => (
              <li key={row.name}>
                {row.name}: {row.count}
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}
