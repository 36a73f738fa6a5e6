import Link from "next/link";
import { formatDateTime } from "@/components/status-badge";
import { listBreakGlassAccounts } from "@/lib/server/break-glass";

/**
 * Break-glass accounts (issue 15, part D; docs/decisions/039): each with when it was last tested
 * (signed in during a declared test) and last used outside one (an incident that alerted security).
 */
export async function BreakGlassReport() {
  const accounts = await listBreakGlassAccounts();
  return (
    <section
      aria-labelledby="break-glass-report"
      className="rounded-lg border border-slate-200 bg-white p-5"
    >
      <h2 id="break-glass-report" className="text-lg font-semibold">
        Break-glass accounts
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Any passkey sign-in by one of these alerts security unless a security reviewer declared a
        test first. An account never tested may not work when it is needed.
      </p>
      {accounts.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No break-glass accounts.</p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Break-glass accounts, last tested and last used</caption>
            <thead>
              <tr className="text-left text-xs text-slate-600">
                <th scope="col" className="py-2 pr-4 font-medium">
                  Account
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Break-glass since
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Last tested
                </th>
                <th scope="col" className="py-2 font-medium">
                  Last used (not a test)
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.userId} className="border-t border-slate-100">
                  <td className="py-2 pr-4">
                    <Link
                      href={`/users/${account.userId}`}
                      className="text-indigo-700 hover:underline"
                    >
                      {account.name}
                    </Link>{" "}
                    <span className="font-mono text-xs text-slate-600">{account.employeeId}</span>
                  </td>
                  <td className="py-2 pr-4">{formatDateTime(account.markedAt)}</td>
                  <td className="py-2 pr-4">
                    {account.lastTestAt ? formatDateTime(account.lastTestAt) : "never"}
                  </td>
                  <td className="py-2">
                    {account.lastUsedAt ? formatDateTime(account.lastUsedAt) : "never"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
