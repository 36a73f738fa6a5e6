/** Pages for people outside the help desk: managers answering a request, users recovering. */
export default function PublicLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-3xl px-6 py-3 text-sm font-semibold tracking-wide text-indigo-700 uppercase">
          Northwind account recovery
        </div>
      </header>
      <main className="mx-auto max-w-3xl px-6 py-8">{children}</main>
    </div>
  );
}
