// @vitest-environment jsdom
import { render, screen } from "@testing-library/react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { idle } from "@/lib/action-state";
import { ActionForm } from "./action-form";

const action = async () => idle;
const form = () => (
  <ActionForm action={action} label="Try">
    {(pending) => (
      <button type="submit" disabled={pending}>
        Go
      </button>
    )}
  </ActionForm>
);

describe("ActionForm", () => {
  it("sends its buttons disabled in the server's HTML, so a click before hydration cannot submit an action-less form", () => {
    const html = renderToString(form());
    expect(html).toMatch(/<button[^>]*disabled/);
  });

  it("enables them once React runs the form in the browser", () => {
    render(form());
    expect(screen.getByRole("button", { name: "Go" })).toBeEnabled();
  });
});
