import type { Metadata } from "next";
import { formatDateTime } from "@/components/status-badge";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { SCIM_BASE_PATH } from "@/lib/server/scim/http";
import { listScimTokens } from "@/lib/server/scim/tokens";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../../_components/step-up";
import { publicUrl } from "@/lib/env";
import { IssueScimTokenForm, ScimTokenActions } from "./_components/token-forms";

export const metadata: Metadata = { title: "Provisioning" };

/**
 * SCIM provisioning (docs/decisions/033): the bearer tokens identity providers use to keep the
 * workforce in step (joiners, movers, leavers). Security reviewers only. A token is shown once,
 * when issued or rotated; the console keeps only its hash.
 */
export default async function ScimSettingsPage() {
  const staff = await requirePermission("scim:manage", "/settings/scim");
  const tokens = await listScimTokens();
  const stepUp = await getStepUpView(staff.id, await getCurrentStaffSession());
  const now = new Date();
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Provisioning (SCIM)</h1>
        <p className="mt-1 max-w-prose text-sm text-slate-700">
          Point the identity provider at <code>{`${publicUrl}${SCIM_BASE_PATH}`}</code> with a token
          from here. A person it deactivates or deletes is a leaver at once: every passkey, session,
          pass and link stops, and open cases close.
        </p>
      </div>
      <StepUpPanel {...stepUp} what="issue, rotate or revoke a token" />
      <section aria-labelledby="issue" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="issue" className="mb-2 text-lg font-semibold">
          Issue a token
        </h2>
        <IssueScimTokenForm />
      </section>
      <section aria-labelledby="tokens" className="space-y-2">
        <h2 id="tokens" className="text-lg font-semibold">
          Tokens
        </h2>
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">No token yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {tokens.map((token) => {
              const state = token.revokedAt
                ? `revoked ${formatDateTime(token.revokedAt)}`
                : token.expiresAt <= now
                  ? "expired"
                  : `expires ${formatDateTime(token.expiresAt)}`;
              return (
                <li
                  key={token.id}
                  className="flex flex-wrap items-center justify-between gap-2 p-3"
                >
                  <div className="text-sm">
                    <span className="font-medium">{token.name}</span>{" "}
                    <code className="text-xs">{token.prefix}…</code>
                    <div className="text-xs text-slate-600">
                      {token.scopes.join(", ")} · issued {formatDateTime(token.createdAt)} · {state}
                      {token.lastUsedAt ? ` · last used ${formatDateTime(token.lastUsedAt)}` : ""}
                    </div>
                  </div>
                  {token.revokedAt || token.expiresAt <= now ? null : (
                    <ScimTokenActions tokenId={token.id} name={token.name} />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </section>
  );
}
