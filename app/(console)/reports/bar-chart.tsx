"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** A small bar chart with its numbers also given as text for screen readers. */
export function CountChart({
  title,
  data,
}: {
  title: string;
  data: { key: string; count: number }[];
}) {
  const rows = data.map((d) => ({ name: d.key.toLowerCase().replace(/_/g, " "), count: d.count }));
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="text-sm font-semibold">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">None in this period.</p>
      ) : (
        <>
          <div className="mt-2 h-48" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="name" tick={{ fontSize: 11 }} interval={0} />
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                <Tooltip />
                <Bar dataKey="count" fill="#4f46e5" radius={[3, 3, 0, 0]} />
              </BarChart>
            </ResponsiveContainer>
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
