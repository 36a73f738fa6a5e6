// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { SearchForm } from "./search-form";

afterEach(cleanup);

describe("SearchForm", () => {
  it("keeps what was searched and offers every tier", () => {
    render(<SearchForm values={{ q: "chen", tier: "HIGH_RISK" }} />);
    expect(
      screen.getByRole("searchbox", { name: "Name, email, phone or employee ID" }),
    ).toHaveValue("chen");
    expect(screen.getByRole("combobox", { name: "Risk tier" })).toHaveValue("HIGH_RISK");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(
      expect.arrayContaining([
        "Standard",
        "High-risk",
        "Privileged",
        "Contractor",
        "Frontline / shared device",
      ]),
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("ties a bad search's message to the field", () => {
    render(<SearchForm values={{ q: "<script>" }} error="Search by name, email or employee ID." />);
    const input = screen.getByRole("searchbox");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("Search by name, email or employee ID.");
  });

  it("submits as a GET to /users so a search is a link", async () => {
    render(<SearchForm values={{}} />);
    const form = screen.getByRole("search");
    expect(form).toHaveAttribute("method", "get");
    expect(form).toHaveAttribute("action", "/users");
    await userEvent.type(screen.getByRole("searchbox"), "E10042");
    expect(screen.getByRole("searchbox")).toHaveValue("E10042");
  });
});
