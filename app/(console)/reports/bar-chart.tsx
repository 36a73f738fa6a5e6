/**
 * A small bar chart, drawn on the server: one bar per key (the rows come sorted, largest first),
 * scaled to the largest count, with the count written beside it. It ships no JavaScript (a
 * charting library cost /reports over 100 kB gz of first-load JS for these five charts: issue 11)
 * and draws before any script runs. It is a table, so a screen reader reads each key with its
 * count as a row; the bars are decoration beside the numbers, hidden from screen readers, and
 * nothing in the chart takes keyboard focus.
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
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption id={id} className="text-sm font-semibold">
        {title}
      </figcaption>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">None in this period.</p>
      ) : (
        <table aria-labelledby={id} className="mt-3 w-full table-fixed text-xs" data-chart="bars">
          <colgroup>
            <col className="w-32" />
            <col />
          </colgroup>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <th
                  scope="row"
                  className="py-1 pr-2 text-left font-normal break-words text-slate-700"
                >
                  {row.name}
                </th>
                <td className="py-1">
                  <div className="flex items-center gap-2">
                    <Bar share={row.count / largest} className="h-4 min-w-0 flex-1" />
                    <span className="w-10 text-right font-medium text-slate-800 tabular-nums">
                      {row.count}
                    </span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}

const BAR_FILLS = { info: "fill-indigo-600", good: "fill-emerald-600", bad: "fill-rose-600" };

/**
 * One bar of a chart: `share` (0 to 1) of the track filled. Decoration beside a number a screen
 * reader reads, so hidden from it and never focused. SVG attributes, not inline styles: nothing for
 * the content security policy to allow.
 */
export function Bar({
  share,
  tone = "info",
  className,
}: {
  share: number;
  tone?: keyof typeof BAR_FILLS;
  className: string;
}) {
  return (
    <svg className={className} aria-hidden="true" focusable="false">
      <rect width="100%" height="100%" rx="3" className="fill-slate-100" />
      <rect
        width={`${(Math.max(0, Math.min(1, share)) * 100).toFixed(2)}%`}
        height="100%"
        rx="3"
        className={BAR_FILLS[tone]}
      />
    </svg>
  );
}
