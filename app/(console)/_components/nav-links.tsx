"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** `waiting`: how many items wait for this person there (the approvals badge); shown when > 0. */
export type NavLink = { href: string; label: string; waiting?: number };

export function NavLinks({ links }: { links: NavLink[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-wrap gap-1">
      {links.map((link) => {
        const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
        return (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={current ? "page" : undefined}
              // Seen as a count beside the label; read as "Approvals, 3 waiting".
              aria-label={link.waiting ? `${link.label}, ${link.waiting} waiting` : undefined}
              className={`rounded-md px-3 py-2 text-sm font-medium ${current ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {link.label}
              {link.waiting ? (
                <span className="ml-1.5 inline-flex min-w-5 justify-center rounded-full bg-rose-700 px-1.5 py-0.5 text-xs leading-none font-semibold text-white">
                  {link.waiting}
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
