import Link from "next/link";

/**
 * What a missing page and a refused one say. Inside a layout with its own main landmark (the
 * console's, the public pages') they are that main's content (app/(console)/not-found.tsx and
 * the like); at the root, where no layout has one, app/not-found.tsx and app/forbidden.tsx put
 * them in a main of their own, so a page never has two.
 */
export function NotFoundMessage() {
  return (
    <section>
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-slate-600">
        There is nothing at this address, or it no longer exists.
      </p>
      <Link href="/users" className="mt-4 inline-block text-indigo-700 underline">
        Back to the user directory
      </Link>
    </section>
  );
}

export function NotAllowedMessage() {
  return (
    <section>
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-slate-600">
        Your role, or your team, does not give access to this page: a case is open to its own
        desk&apos;s team. The attempt has been recorded in the audit trail.
      </p>
      <Link href="/users" className="mt-4 inline-block text-indigo-700 underline">
        Back to the user directory
      </Link>
    </section>
  );
}
