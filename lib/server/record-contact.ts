import "server-only";
import { maskContact, normaliseContact } from "@/lib/domain/fraud-signals";
import { isOpenCase } from "@/lib/domain/case-state";
import { directoryPhoneRegions } from "@/lib/env";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { applySignalEffectsAfterCommit } from "./signals/apply-signal-effects";
import { evaluateSignals } from "./signals/evaluate-signals";

/**
 * Records a number or address the caller offered during the call (or asked to be reached at), on
 * an open case. It is never used to reach anyone: the console only ever contacts what is of
 * record. Kept, normalised, so one number or address coming up for several people raises a fraud
 * signal (docs/decisions/031), evaluated in this transaction. Audited with the value masked.
 */
export async function recordContact(input: {
  actor: CurrentStaff;
  caseId: string;
  value: string;
  request?: RequestContext;
}): Promise<{ signalled: boolean }> {
  let otherCases: string[] = [];
  const result = await runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "record a number or address",
      safeAction: "record a contact",
      request: input.request,
    },
    async ({ tx, kase, facts, now, actor, refuse }) => {
      if (!isOpenCase(facts.status))
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "The case is no longer open: nothing more is recorded on it.",
        });
      const value = input.value.trim();
      const read = normaliseContact(value, directoryPhoneRegions);
      if (!read)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: "That is neither a phone number nor an email address.",
        });
      const kind = read.kind === "phone" ? "OFFERED_PHONE" : "OFFERED_EMAIL";
      await tx.caseContact.create({
        data: {
          caseId: kase.id,
          kind,
          value: value.slice(0, 320),
          normalized: read.normalized,
          recordedById: input.actor.id,
          createdAt: now,
        },
      });
      await recordAudit(tx, {
        action: "case.contact_recorded",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { kind, contact: maskContact(read.normalized), when: "call" },
        request: input.request,
      });
      const signals = await evaluateSignals(tx, {
        caseId: kase.id,
        trigger: { kind: "contact" },
        now,
        actor,
        request: input.request,
      });
      otherCases = signals.otherCases;
      return { ok: true, value: { signalled: signals.signalId !== null } };
    },
  );
  await applySignalEffectsAfterCommit(otherCases);
  return result;
}
