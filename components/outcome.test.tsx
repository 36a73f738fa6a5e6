// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ActionState } from "@/lib/action-state";
import { ActionForm } from "./action-form";
import { OutcomeProvider, placeAmong, spotsOf } from "./outcome";
import { PasskeyCeremonyButton } from "./passkey-ceremony-button";

const pathname = vi.hoisted(() => ({ current: "/cases/1" }));
vi.mock("next/navigation", () => ({ usePathname: () => pathname.current }));

afterEach(cleanup);

const ok = (message: string): ActionState => ({ status: "ok", message });

describe("focus after an action", () => {
  it("moves to the form's own status when the form stays on the page", async () => {
    render(
      <OutcomeProvider>
        <ActionForm action={async () => ok("Sent.")} label="Send">
          {(pending) => (
            <button type="submit" disabled={pending}>
              Send
            </button>
          )}
        </ActionForm>
      </OutcomeProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    const status = await screen.findByRole("status");
    expect(status).toHaveTextContent("Sent.");
    await waitFor(() => expect(status).toHaveFocus());
    expect(status).toHaveAttribute("tabindex", "-1");
  });

  it("moves to a refusal, an alert", async () => {
    render(
      <OutcomeProvider>
        <ActionForm
          action={async () => ({ status: "refused", message: "Not today." })}
          label="Send"
        >
          {() => <button type="submit">Send</button>}
        </ActionForm>
      </OutcomeProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveFocus());
    expect(screen.getByRole("alert")).toHaveTextContent("Not today.");
  });

  it("shows and focuses the outcome where the form stood when the re-render takes the form away", async () => {
    // A recorded step: once recorded, the page renders the step without its form.
    function Step() {
      const [recorded, setRecorded] = useState(false);
      return (
        <ol>
          <li data-testid="step">
            <h3>Call back</h3>
            {recorded ? (
              <p>Passed</p>
            ) : (
              <ActionForm
                action={async () => {
                  setRecorded(true);
                  return ok("Recorded.");
                }}
                label="Record: Call back"
              >
                {() => <button type="submit">Passed</button>}
              </ActionForm>
            )}
            <p>Counts as evidence: the number of record.</p>
          </li>
        </ol>
      );
    }
    render(
      <OutcomeProvider>
        <main id="main">
          <Step />
        </main>
      </OutcomeProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Passed" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveFocus());
    const status = screen.getByRole("status");
    expect(status).toHaveTextContent("Recorded.");
    expect(screen.queryByRole("form")).toBeNull();
    // Where the form was: inside the step, before what followed the form.
    const step = screen.getByTestId("step");
    expect(step).toContainElement(status);
    expect(status.parentElement!.nextElementSibling).toHaveTextContent("Counts as evidence");
  });

  it("keeps a passkey button's outcome on the page when a refresh takes the button away", async () => {
    function Panel() {
      const [confirmed, setConfirmed] = useState(false);
      return (
        <section aria-label="Step-up">
          {confirmed ? (
            <p>You confirmed it&apos;s you.</p>
          ) : (
            <PasskeyCeremonyButton
              label="Confirm it's you"
              run={async () => ({ ok: true, text: "Confirmed until 12:05 UTC." })}
            />
          )}
          <button type="button" onClick={() => setConfirmed(true)}>
            Refresh
          </button>
        </section>
      );
    }
    render(
      <OutcomeProvider>
        <Panel />
      </OutcomeProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Confirm it's you" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveFocus());
    // The page re-renders without the button while its outcome has focus (as router.refresh does).
    act(() => {
      screen.getByRole("status").focus();
      screen.getByRole("button", { name: "Refresh" }).click();
    });
    await waitFor(() => expect(screen.getByRole("status")).toHaveFocus());
    expect(screen.getByRole("status")).toHaveTextContent("Confirmed until 12:05 UTC.");
    expect(screen.queryByRole("button", { name: "Confirm it's you" })).toBeNull();
  });

  it("lets an outcome the person moved on from go with its form", async () => {
    function Page() {
      const [gone, setGone] = useState(false);
      return (
        <main id="main">
          {gone ? null : (
            <ActionForm action={async () => ok("Sent.")} label="Send">
              {() => (
                <>
                  <input aria-label="Note" />
                  <button type="submit">Send</button>
                </>
              )}
            </ActionForm>
          )}
          <button type="button" onClick={() => setGone(true)}>
            Elsewhere
          </button>
        </main>
      );
    }
    render(
      <OutcomeProvider>
        <Page />
      </OutcomeProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveFocus());
    await userEvent.click(screen.getByRole("textbox", { name: "Note" }));
    await userEvent.click(screen.getByRole("button", { name: "Elsewhere" }));
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("after a navigation that left focus on nothing, focuses the new page's main heading", async () => {
    pathname.current = "/users/1";
    const { rerender } = render(
      <OutcomeProvider>
        <main id="main" tabIndex={-1}>
          <h1>Ada Lovelace</h1>
          <button type="button">Open case</button>
        </main>
      </OutcomeProvider>,
    );
    screen.getByRole("button", { name: "Open case" }).focus();
    pathname.current = "/cases/2";
    rerender(
      <OutcomeProvider>
        <main id="main" tabIndex={-1}>
          <h1>Lost device: Ada Lovelace</h1>
        </main>
      </OutcomeProvider>,
    );
    await waitFor(() =>
      expect(screen.getByRole("heading", { name: "Lost device: Ada Lovelace" })).toHaveFocus(),
    );
  });

  it("leaves focus alone after a navigation that kept it (the header's own controls)", async () => {
    pathname.current = "/users";
    const page = (heading: string) => (
      <OutcomeProvider>
        <nav>
          <button type="button">Cases</button>
        </nav>
        <main id="main" tabIndex={-1}>
          <h1>{heading}</h1>
        </main>
      </OutcomeProvider>
    );
    const { rerender } = render(page("Users"));
    screen.getByRole("button", { name: "Cases" }).focus();
    pathname.current = "/cases";
    rerender(page("Cases"));
    await act(async () => {});
    expect(screen.getByRole("button", { name: "Cases" })).toHaveFocus();
  });
});

describe("placeAmong", () => {
  it("takes the nearest parent still in the page, where the element was", () => {
    document.body.innerHTML = `<main><section id="s"><div id="gone"><form id="f"></form></div><p id="next">after</p></section></main>`;
    const spots = spotsOf(document.getElementById("f")!);
    document.getElementById("gone")!.remove();
    const place = placeAmong(spots);
    expect(place?.parent).toBe(document.getElementById("s"));
    expect(place?.before).toBe(document.getElementById("next"));
  });

  it("never puts an outcome inside a list or a table: beside it instead", () => {
    document.body.innerHTML = `<section id="s"><ul id="u"><li id="li"><form id="f"></form></li></ul><p id="after">x</p></section>`;
    const spots = spotsOf(document.getElementById("f")!);
    document.getElementById("li")!.remove();
    const place = placeAmong(spots);
    expect(place?.parent).toBe(document.getElementById("s"));
    expect(place?.before).toBe(document.getElementById("after"));
  });
});
