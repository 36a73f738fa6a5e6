"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { issueScimTokenAction, revokeScimTokenAction, rotateScimTokenAction } from "../actions";

/** Issue a bearer token for an identity provider: a name and its scopes. */
export function IssueScimTokenForm() {
  return (
    <ActionForm action={issueScimTokenAction} label="Issue a token" className="space-y-3">
      {(pending) => (
        <>
          <div>
            <label htmlFor="scim-name" className="block text-sm font-medium text-slate-700">
              Identity provider
            </label>
            <input
              id="scim-name"
              name="name"
              required
              maxLength={80}
              placeholder="Entra ID"
              className="mt-1 w-full max-w-sm rounded-md border border-slate-500 px-3 py-2 text-sm"
            />
          </div>
          <fieldset className="text-sm">
            <legend className="font-medium text-slate-700">Scopes</legend>
            <label className="mr-4 inline-flex items-center gap-1">
              <input type="checkbox" name="scopes" value="users:read" defaultChecked /> Read users
            </label>
            <label className="inline-flex items-center gap-1">
              <input type="checkbox" name="scopes" value="users:write" defaultChecked /> Provision
              and deprovision users
            </label>
          </fieldset>
          <Button type="submit" disabled={pending}>
            Issue token
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** Rotate (a new token; the old one stops at once) or revoke one token. */
export function ScimTokenActions({ tokenId, name }: { tokenId: string; name: string }) {
  return (
    <div className="flex flex-wrap gap-2">
      <ActionForm action={rotateScimTokenAction} label={`Rotate ${name}`}>
        {(pending) => (
          <>
            <input type="hidden" name="tokenId" value={tokenId} />
            <Button type="submit" variant="secondary" disabled={pending}>
              Rotate
            </Button>
          </>
        )}
      </ActionForm>
      <ActionForm action={revokeScimTokenAction} label={`Revoke ${name}`}>
        {(pending) => (
          <>
            <input type="hidden" name="tokenId" value={tokenId} />
            <Button type="submit" variant="secondary" disabled={pending}>
              Revoke
            </Button>
          </>
        )}
      </ActionForm>
    </div>
  );
}
