"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { ROLE_LABELS, type StaffRole } from "@/lib/domain/roles";
import { demoSignIn } from "../actions";

type DemoStaff = { id: string; name: string; role: StaffRole; team: string | null; email: string };

export function DemoSignIn({ staff, callbackUrl }: { staff: DemoStaff[]; callbackUrl: string }) {
  return (
    <ActionForm action={demoSignIn} className="space-y-3">
      {(pending) => (
        <>
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">
              Demo sign-in: choose who you are
            </legend>
            <ul className="mt-2 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
              {staff.map((member) => (
                <li key={member.id} className="flex items-center justify-between gap-4 px-3 py-2">
                  <div>
                    <p className="text-sm font-medium">{member.name}</p>
                    <p className="text-xs text-slate-500">
                      {ROLE_LABELS[member.role]}
                      {member.team ? ` · ${member.team}` : ""}
                    </p>
                  </div>
                  <Button
                    type="submit"
                    name="staffId"
                    value={member.id}
                    variant="secondary"
                    disabled={pending}
                    aria-label={`Sign in as ${member.name}, ${ROLE_LABELS[member.role]}`}
                  >
                    Sign in
                  </Button>
                </li>
              ))}
            </ul>
          </fieldset>
        </>
      )}
    </ActionForm>
  );
}
