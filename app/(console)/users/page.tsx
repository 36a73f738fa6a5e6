import type { Metadata } from "next";
import Link from "next/link";
import { EmploymentBadge, TierBadge } from "@/components/status-badge";
import { requirePermission } from "@/lib/auth/session";
import { matchNote } from "@/lib/domain/directory-query";
import {
  DIRECTORY_MAX_PAGE,
  directorySummary,
  DirectorySearchSchema,
} from "@/lib/domain/workforce";
import { findWorkforceUsers } from "@/lib/server/find-workforce-users";
import { COVERAGE_LABELS } from "@/lib/domain/coverage";
import { findWaveName } from "@/lib/server/rollout/waves";
import { SearchForm } from "./_components/search-form";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePermission("users:read", "/users");
  const raw = await searchParams;
  const first = (key: string) => (Array.isArray(raw[key]) ? raw[key][0] : raw[key]) || undefined;
  const values = {
    q: first("q"),
    tier: first("tier"),
    status: first("status"),
    page: first("page"),
    coverage: first("coverage"),
    wave: first("wave"),
    department: first("department"),
  };
  const parsed = DirectorySearchSchema.safeParse(values);
  if (!parsed.success) {
    return (
      <section className="space-y-6">
        <h1 className="text-2xl font-semibold">Users</h1>
        <SearchForm
          values={values}
          error={parsed.error.issues.map((issue) => issue.message).join(" ")}
        />
      </section>
    );
  }
  const search = parsed.data;
  const { users, total, capped, pageCount, hasNext: more } = await findWorkforceUsers(search);
  const hasNext = more && search.page < DIRECTORY_MAX_PAGE;
  // The rollout report's links (docs/decisions/038) filter by figure, wave and department.
  const waveName = search.wave && search.wave !== "none" ? await findWaveName(search.wave) : null;
  const rollout = [
    search.coverage ? COVERAGE_LABELS[search.coverage].toLowerCase() : null,
    search.wave === "none" ? "in no wave" : search.wave ? `wave ${waveName ?? "unknown"}` : null,
    search.department ? `department ${search.department}` : null,
  ]
    .filter(Boolean)
    .join(", ");
  const pageHref = (page: number) => {
    const params = new URLSearchParams();
    if (search.q) params.set("q", search.q);
    if (search.tier) params.set("tier", search.tier);
    if (search.status) params.set("status", search.status);
    if (search.coverage) params.set("coverage", search.coverage);
    if (search.wave) params.set("wave", search.wave);
    if (search.department) params.set("department", search.department);
    params.set("page", String(page));
    return `/users?${params}`;
  };

  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="mt-1 text-sm text-slate-600">
          Find the caller from HR records: by name (also surname first), email or first.last, phone
          number as they say it, or employee ID or part of it. Exact matches come first. Never trust
          details the caller offers over these.
        </p>
      </div>
      <SearchForm values={values} />
      {rollout ? (
        <p className="text-sm text-slate-700">
          Rollout report: {rollout}.{" "}
          <Link href="/users" className="text-indigo-700 hover:underline">
            Show everyone
          </Link>
        </p>
      ) : null}
      <p className="text-sm text-slate-600" aria-live="polite">
        {directorySummary({ total, capped, pageCount, page: search.page, shown: users.length })}
      </p>
      {users.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Workforce users matching the search</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Name
                </th>
                <th scope="col" className="px-4 py-2">
                  Employee ID
                </th>
                <th scope="col" className="px-4 py-2">
                  Department
                </th>
                <th scope="col" className="px-4 py-2">
                  Tier
                </th>
                <th scope="col" className="px-4 py-2">
                  Employment
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Active passkeys
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((user) => (
                <tr key={user.id} className="hover:bg-slate-50">
                  <td className="px-4 py-2">
                    <Link
                      href={`/users/${user.id}`}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      {user.name}
                    </Link>
                    <p className="text-xs text-slate-500">{user.email}</p>
                    {matchNote(user.match) ? (
                      <p className="text-xs font-medium text-emerald-700">
                        {matchNote(user.match)}
                      </p>
                    ) : null}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{user.employeeId}</td>
                  <td className="px-4 py-2">
                    {user.department}
                    <p className="text-xs text-slate-500">{user.title}</p>
                  </td>
                  <td className="px-4 py-2">
                    <TierBadge tier={user.riskTier} />
                  </td>
                  <td className="px-4 py-2">
                    <EmploymentBadge status={user.status} />
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{user.activePasskeys}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {search.page > 1 || hasNext ? (
        <nav aria-label="Pages" className="flex justify-between text-sm">
          {search.page > 1 ? (
            <Link href={pageHref(search.page - 1)} className="text-indigo-700 hover:underline">
              ← Previous
            </Link>
          ) : (
            <span />
          )}
          {hasNext ? (
            <Link href={pageHref(search.page + 1)} className="text-indigo-700 hover:underline">
              Next →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
