import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requirePermission } from "@/lib/auth/session";
import { resolveItsmLink } from "@/lib/server/resolve-itsm-link";

export const metadata: Metadata = { title: "Open a case from a ticket" };

/**
 * An ITSM's link into the console (docs/decisions/035): /cases/new?ticket=…&employee=… signs the
 * agent in if need be, finds the person by employee ID and opens their page with the ticket
 * prefilled in the open-case form. Opening nothing by itself: the agent still opens the case.
 */
export default async function NewCaseFromTicket({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await searchParams;
  const back = new URLSearchParams();
  for (const key of ["ticket", "employee"] as const) {
    const value = query[key];
    if (typeof value === "string") back.set(key, value.slice(0, 80));
  }
  await requirePermission("cases:work", `/cases/new?${back.toString()}`);
  const link = await resolveItsmLink(query);
  if (link.ok) redirect(link.path);
  const problems = link.problems;
  return (
    <div className="max-w-prose space-y-4">
      <h1 className="text-2xl font-semibold">This ticket link cannot open a case</h1>
      <ul role="alert" className="list-disc space-y-1 pl-5 text-sm text-rose-800">
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
      <p className="text-sm text-slate-700">
        The ticketing system links here as{" "}
        <code>/cases/new?ticket=INC0012345&amp;employee=E1042</code>. Check the ticket&apos;s
        employee ID, or{" "}
        <Link href="/users" className="text-indigo-700 hover:underline">
          find the person in the directory
        </Link>
        .
      </p>
    </div>
  );
}
