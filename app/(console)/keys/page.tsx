import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/domain/roles";
import {
  SECURITY_KEY_FILTERS,
  SECURITY_KEY_STATUS_LABELS,
  type SecurityKeyFilter,
} from "@/lib/domain/security-keys";
import { listSecurityKeys } from "@/lib/server/security-keys";
import { AddKeyForm, RetireKeyForm, TakeBackKeyForm } from "./_components/key-forms";
import { parseKeyFilter } from "./schema";

export const metadata: Metadata = { title: "Security keys" };

const FILTER_LABELS: Record<SecurityKeyFilter, string> = {
  all: "All",
  due: "Due for return",
  ...SECURITY_KEY_STATUS_LABELS,
};

/**
 * The security key inventory (docs/decisions/039): who holds which key, which are due back from
 * leavers, and what happened to each. Agents issue keys from a verified walk-in case (the case
 * page); here they take them back or report them lost. Security reviewers manage the stock.
 */
export default async function SecurityKeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requirePermission("keys:read", "/keys");
  const filter = parseKeyFilter((await searchParams).show);
  const keys = await listSecurityKeys(filter);
  const mayTakeBack = can(staff.role, "keys:return");
  const mayStock = can(staff.role, "keys:stock");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Security keys</h1>
      <p className="max-w-prose text-sm text-slate-700">
        Hardware keys for shared and frontline devices. A key is issued from a verified walk-in case
        (open the person&apos;s case and use <strong>Issue a security key</strong>): it becomes
        their passkey. Returning or losing a key revokes that passkey at once. Keys of people who
        left show as due for return.
      </p>
      {mayStock ? (
        <section
          aria-labelledby="add-key"
          className="max-w-md rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="add-key" className="mb-2 text-sm font-semibold">
            Add a key to stock
          </h2>
          <AddKeyForm />
        </section>
      ) : null}
      <nav aria-label="Filter keys">
        <ul className="flex flex-wrap gap-3 text-sm">
          {SECURITY_KEY_FILTERS.map((value) => (
            <li key={value}>
              <Link
                href={value === "all" ? "/keys" : `/keys?show=${value}`}
                aria-current={value === filter ? "page" : undefined}
                className={
                  value === filter
                    ? "font-semibold text-slate-900"
                    : "text-indigo-700 hover:underline"
                }
              >
                {FILTER_LABELS[value]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {keys.length === 0 ? (
        <p className="text-sm text-slate-600">No keys here.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">Security keys: {FILTER_LABELS[filter]}</caption>
            <thead>
              <tr className="text-left text-xs text-slate-600">
                <th scope="col" className="px-4 py-2 font-medium">
                  Serial
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Model
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Held by
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-t border-slate-100">
                  <td className="px-4 py-2 font-mono text-xs">{key.serial}</td>
                  <td className="px-4 py-2">{key.modelName}</td>
                  <td className="px-4 py-2">
                    {SECURITY_KEY_STATUS_LABELS[key.status]}
                    {key.dueForReturn ? (
                      <>
                        {" "}
                        <Badge tone="bad">due for return</Badge>
                      </>
                    ) : null}
                  </td>
                  <td className="px-4 py-2">
                    {key.holder ? (
                      <Link
                        href={`/users/${key.holder.id}`}
                        className="text-indigo-700 hover:underline"
                      >
                        {key.holder.name} ({key.holder.employeeId})
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-4 py-2 text-xs whitespace-nowrap">
                    {key.lostAt
                      ? `lost ${formatDateTime(key.lostAt)}`
                      : key.returnedAt
                        ? `returned ${formatDateTime(key.returnedAt)}`
                        : key.issuedAt
                          ? `issued ${formatDateTime(key.issuedAt)}`
                          : ""}
                  </td>
                  <td className="px-4 py-2">
                    <div className="flex flex-wrap gap-2">
                      {mayTakeBack && key.status === "ISSUED" ? (
                        <TakeBackKeyForm keyId={key.id} serial={key.serial} move="return" />
                      ) : null}
                      {mayTakeBack && key.status !== "LOST" && key.status !== "RETIRED" ? (
                        <TakeBackKeyForm keyId={key.id} serial={key.serial} move="lose" />
                      ) : null}
                      {mayStock && (key.status === "IN_STOCK" || key.status === "RETURNED") ? (
                        <RetireKeyForm keyId={key.id} serial={key.serial} />
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
