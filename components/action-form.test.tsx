// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idle, type ActionState } from "@/lib/action-state";
import { ActionForm } from "./action-form";

vi.mock("next/navigation", () => ({ usePathname: () => "/cases/1" }));
afterEach(cleanup);

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

describe("what was typed", () => {
  function noteForm(answer: (body: string) => ActionState, sent: string[]) {
    return (
      <ActionForm
        action={async (_previous, formData) => {
          const body = String(formData.get("body"));
          sent.push(body);
          return answer(body);
        }}
        label="Add a note"
      >
        {() => (
          <>
            <label htmlFor="body">Note</label>
            <textarea id="body" name="body" />
            <button type="submit" name="kind" value="note">
              Add
            </button>
          </>
        )}
      </ActionForm>
    );
  }

  it("stays after a refusal, so the agent can shorten the note instead of writing it again", async () => {
    const sent: string[] = [];
    render(noteForm(() => ({ status: "refused", message: "Too long." }), sent));
    await userEvent.type(screen.getByLabelText("Note"), "The caller rang from a new number");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Too long."));
    expect(sent).toEqual(["The caller rang from a new number"]);
    expect(screen.getByLabelText("Note")).toHaveValue("The caller rang from a new number");
  });

  it("is emptied after a success, ready for the next note", async () => {
    const sent: string[] = [];
    render(noteForm(() => ({ status: "ok", message: "Note added." }), sent));
    await userEvent.type(screen.getByLabelText("Note"), "Called back on the number of record");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Note added."));
    expect(sent).toEqual(["Called back on the number of record"]);
    await waitFor(() => expect(screen.getByLabelText("Note")).toHaveValue(""));
  });
});
