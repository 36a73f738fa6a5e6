"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { redeemTapAction } from "./actions";

const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function RedeemForm() {
  return (
    <ActionForm
      action={redeemTapAction}
      label="Use a temporary access pass"
      className="mt-4 max-w-md space-y-3"
    >
      {(pending) => (
        <>
          <div>
            <label htmlFor="email" className="block text-sm font-medium">
              Your work email
            </label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              className={field}
            />
          </div>
          <div>
            <label htmlFor="code" className="block text-sm font-medium">
              Temporary access pass
            </label>
            <input
              id="code"
              name="code"
              autoComplete="one-time-code"
              spellCheck={false}
              required
              placeholder="XXXX-XXXX-XXXX-XXXX"
              className={`${field} font-mono tracking-wider`}
            />
          </div>
          <Button type="submit" disabled={pending}>
            Continue
          </Button>
        </>
      )}
    </ActionForm>
  );
}
