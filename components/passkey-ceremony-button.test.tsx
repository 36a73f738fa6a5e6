// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { deviceRefusal, PasskeyCeremonyButton } from "./passkey-ceremony-button";

afterEach(cleanup);

describe("PasskeyCeremonyButton", () => {
  it("announces a success and stays disabled afterwards", async () => {
    render(
      <PasskeyCeremonyButton
        label="Set up a new passkey"
        run={async () => ({ ok: true, text: "Your new passkey is ready." })}
      />,
    );
    await userEvent.click(screen.getByRole("button", { name: "Set up a new passkey" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your new passkey is ready.");
    expect(screen.getByRole("button", { name: "Set up a new passkey" })).toBeDisabled();
  });

  it("shows a refusal as an alert and lets the person try again", async () => {
    let calls = 0;
    const run = async () => (
      calls++,
      deviceRefusal(Object.assign(new Error("cancelled"), { name: "NotAllowedError" }), "sign in")
    );
    render(<PasskeyCeremonyButton label="Sign in with a passkey" run={run} />);
    await userEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Your device did not sign in (NotAllowedError). Try again.",
    );
    await userEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    expect(calls).toBe(2);
  });
});
