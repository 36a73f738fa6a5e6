import { Button } from "@/components/ui/button";
import { EMPLOYMENT_STATUSES, RISK_TIER_LABELS, RISK_TIERS } from "@/lib/domain/workforce";

type Values = { q?: string; tier?: string; status?: string };

/** A GET form: searches are links that can be shared and bookmarked, and change nothing. */
export function SearchForm({ values, error }: { values: Values; error?: string }) {
  return (
    <form role="search" method="get" action="/users" className="flex flex-wrap items-end gap-3">
      <div className="min-w-64 flex-1">
        <label htmlFor="q" className="block text-sm font-medium text-slate-800">
          Name, email, phone or employee ID
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={values.q}
          autoFocus
          placeholder="e.g. Okafor, Ada · maya.silva · 020 7946 0958 · E102"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "search-error" : undefined}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
        />
      </div>
      <div>
        <label htmlFor="tier" className="block text-sm font-medium text-slate-800">
          Risk tier
        </label>
        <select
          id="tier"
          name="tier"
          defaultValue={values.tier ?? ""}
          className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
        >
          <option value="">Any tier</option>
          {RISK_TIERS.map((tier) => (
            <option key={tier} value={tier}>
              {RISK_TIER_LABELS[tier]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="status" className="block text-sm font-medium text-slate-800">
          Employment
        </label>
        <select
          id="status"
          name="status"
          defaultValue={values.status ?? ""}
          className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
        >
          <option value="">Any status</option>
          {EMPLOYMENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.charAt(0) + status.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit">Search</Button>
      {error ? (
        <p id="search-error" role="alert" className="w-full text-sm text-rose-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
