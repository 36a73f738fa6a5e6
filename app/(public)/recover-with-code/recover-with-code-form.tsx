"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { recoverWithCodeAction } from "./actions";

const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function RecoverWithCodeForm() {
  return (
    <ActionForm
      action={recoverWithCodeAction}
      label="Use a recovery code"
      className="mt-4 max-w-md space-y-3"
    >
      {(pending) => (
        <>
          <div>
            <label htmlFor="identity" className="block text-sm font-medium">
              Your employee ID or work email
            </label>
            <input
              id="identity"
              name="identity"
              autoComplete="username"
              required
              className={field}
            />
          </div>
          <div>
            <label htmlFor="code" className="block text-sm font-medium">
              Recovery code
            </label>
            <input
              id="code"
              name="code"
              autoComplete="one-time-code"
              spellCheck={false}
              required
              placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
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
