// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NavLinks } from "./nav-links";

const pathname = vi.hoisted(() => ({ current: "/" }));
vi.mock("next/navigation", () => ({ usePathname: () => pathname.current }));

afterEach(cleanup);

const links = [
  { href: "/users", label: "Users" },
  { href: "/cases", label: "Cases" },
];

describe("NavLinks", () => {
  it("marks the section the agent is in, including its sub-pages", () => {
    pathname.current = "/users/5b0c4f5e-8a49-4b1e-9a61-3c2a1f0e9d7b";
    render(<NavLinks links={links} />);
    expect(screen.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "Cases" })).not.toHaveAttribute("aria-current");
  });

  it("does not mark a section whose name merely starts the path", () => {
    pathname.current = "/users-export";
    render(<NavLinks links={links} />);
    expect(screen.getByRole("link", { name: "Users" })).not.toHaveAttribute("aria-current");
  });

  it("shows the approvals waiting as a count, named for screen readers as well", () => {
    pathname.current = "/cases";
    render(<NavLinks links={[...links, { href: "/approvals", label: "Approvals", waiting: 3 }]} />);
    const approvals = screen.getByRole("link", { name: "Approvals, 3 waiting" });
    expect(approvals).toHaveAttribute("href", "/approvals");
    expect(approvals).toHaveTextContent(/^Approvals\s*3$/);
    // The other links carry no count.
    expect(screen.getByRole("link", { name: "Cases" })).toHaveAttribute("aria-current", "page");
  });

  it("shows no count when nothing waits", () => {
    pathname.current = "/approvals";
    render(<NavLinks links={[{ href: "/approvals", label: "Approvals", waiting: 0 }]} />);
    expect(screen.getByRole("link", { name: "Approvals" })).toHaveAttribute("aria-current", "page");
    expect(screen.queryByText(/waiting/)).toBeNull();
  });
});
