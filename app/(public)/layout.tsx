import { MAIN_ID } from "@/components/skip-link";

/** Pages for people outside the help desk: managers answering a request, users recovering. */
export default function PublicLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-3xl px-4 py-3 sm:px-6 text-sm font-semibold tracking-wide text-indigo-700 uppercase">
          Northwind account recovery
        </div>
      </header>
      <main id={MAIN_ID} tabIndex={-1} className="mx-auto max-w-3xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
