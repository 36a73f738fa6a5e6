// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The server actions and the browser's WebAuthn calls are stand-ins: this is about the steps shown.
const actions = vi.hoisted(() => ({
  startReverifyAction: vi.fn(),
  finishReverifyAction: vi.fn(),
  startRegistrationAction: vi.fn(),
  finishRegistrationAction: vi.fn(),
}));
vi.mock("./actions", () => actions);
vi.mock("@simplewebauthn/browser", () => ({
  startAuthentication: vi.fn(async () => ({ id: "assertion" })),
  startRegistration: vi.fn(async () => ({ id: "attestation" })),
}));
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh: vi.fn() }) }));

const { AddPasskey } = await import("./add-passkey");

afterEach(cleanup);
beforeEach(() => {
  vi.clearAllMocks();
  actions.startReverifyAction.mockResolvedValue({ ok: true, value: { challenge: "c" } });
  actions.finishReverifyAction.mockResolvedValue({ ok: true, value: { freshUntil: "later" } });
  actions.startRegistrationAction.mockResolvedValue({ ok: true, value: { challenge: "r" } });
  actions.finishRegistrationAction.mockResolvedValue({ ok: true, value: { model: "YubiKey" } });
});

const confirm = () => screen.queryByRole("button", { name: "Confirm it's you" });
const add = () => screen.queryByRole("button", { name: "Add a passkey" });

describe("AddPasskey", () => {
  it("asks to confirm it's you first when the verification is not fresh, then offers one addition", async () => {
    render(<AddPasskey fresh={false} minutes={5} />);
    expect(screen.getByRole("region", { name: "Add a passkey" })).toBeInTheDocument();
    expect(add()).toBeNull();
    await userEvent.click(confirm()!);
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Confirmed. You can add one passkey in the next 5 minutes.",
    );
    expect(confirm()).toBeNull();
    await userEvent.click(add()!);
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Your new passkey (YubiKey) is ready",
    );
    // One confirmation, one passkey: the next needs confirming again.
    expect(add()).toBeNull();
    expect(confirm()).toBeEnabled();
    expect(actions.finishRegistrationAction).toHaveBeenCalledTimes(1);
  });

  it("offers the addition at once right after a sign-in", () => {
    render(<AddPasskey fresh minutes={5} />);
    expect(add()).toBeEnabled();
    expect(confirm()).toBeNull();
  });

  it("goes back to confirming, with the server's words, when the server refuses the addition", async () => {
    actions.startRegistrationAction.mockResolvedValue({
      ok: false,
      message: "Confirm it's you first: press “Confirm it's you”.",
    });
    render(<AddPasskey fresh minutes={5} />);
    await userEvent.click(add()!);
    expect(await screen.findByRole("alert")).toHaveTextContent("Confirm it's you first");
    expect(confirm()).toBeEnabled();
    expect(add()).toBeNull();
  });

  it("keeps the step when the confirmation is refused, and says why", async () => {
    actions.finishReverifyAction.mockResolvedValue({
      ok: false,
      message: "That did not confirm it's you.",
    });
    render(<AddPasskey fresh={false} minutes={5} />);
    await userEvent.click(confirm()!);
    expect(await screen.findByRole("alert")).toHaveTextContent("That did not confirm it's you.");
    expect(add()).toBeNull();
    expect(confirm()).toBeEnabled();
  });
});
