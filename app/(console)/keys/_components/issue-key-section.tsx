import { issuableSecurityKeys } from "@/lib/server/security-keys";
import { IssueKey } from "./key-forms";

/**
 * On a walk-in case the agent may work: issue a security key from stock (decision 039). The server
 * decides under the case's locks (walk-in, ID checked in person, and every recovery gate); this
 * only offers it where it can apply.
 */
export async function IssueKeySection({ caseId }: { caseId: string }) {
  const keys = await issuableSecurityKeys();
  return (
    <section
      aria-labelledby="issue-key-heading"
      className="rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id="issue-key-heading" className="text-sm font-semibold">
        Issue a security key
      </h2>
      <p className="mt-1 text-xs text-slate-600">
        For someone at the desk whose photo ID you checked in person. Plug the key into this
        computer: it is registered as their passkey, not yours.
      </p>
      {keys.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">No keys in stock.</p>
      ) : (
        <IssueKey caseId={caseId} keys={keys} />
      )}
    </section>
  );
}
