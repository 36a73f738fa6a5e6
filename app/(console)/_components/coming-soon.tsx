/** A section whose issue is still open. */
export function ComingSoon({
  title,
  issue,
  children,
}: {
  title: string;
  issue: number;
  children: React.ReactNode;
}) {
  return (
    <section>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="mt-6 rounded-lg border border-dashed border-slate-300 bg-white p-6">
        <p className="text-sm font-medium text-slate-800">Coming with issue {issue}.</p>
        <p className="mt-1 text-sm text-slate-600">{children}</p>
      </div>
    </section>
  );
}
