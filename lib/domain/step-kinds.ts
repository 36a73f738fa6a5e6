/**
 * The one registry of verification step kinds. Everything that branches on a step kind (the
 * zod schemas of the case forms, which steps the agent records and which complete through a
 * one-time link, the NIST combination check, the case page) derives from this table, so adding a
 * kind is one entry here plus its completion handler in lib/server/cases (docs/ARCHITECTURE.md,
 * "Adding a step kind").
 */

export const STEP_KINDS = [
  "CALLBACK",
  "MANAGER_CONFIRMATION",
  "PASSKEY_PROOF",
  "ID_DOCUMENT",
  "EMPLOYEE_RECORD",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * What a step proves, for NIST SP 800-63B-4 §4.2.2.2's recovery combinations: an out-of-band
 * confirmation through an address of record, a remaining authenticator, or identity proofing.
 * Employee-record details are knowledge: never enough on their own.
 */
export type Assurance = "out_of_band" | "authenticator" | "proofing" | "knowledge";

export type StepKindDefinition = {
  assurance: Assurance;
  /**
   * "agent": the agent records the outcome of what they did (a callback, an ID check).
   * "link": someone else completes it through a one-time link sent to an address of record; the
   * agent can only send the link. `path` is the public page the link opens.
   */
  completion:
    | { by: "agent" }
    | { by: "link"; path: "confirm" | "prove"; recipient: "manager" | "user"; waitingFor: string };
};

export const STEP_KIND_REGISTRY = {
  CALLBACK: { assurance: "out_of_band", completion: { by: "agent" } },
  MANAGER_CONFIRMATION: {
    assurance: "out_of_band",
    completion: {
      by: "link",
      path: "confirm",
      recipient: "manager",
      waitingFor: "the manager answers",
    },
  },
  PASSKEY_PROOF: {
    assurance: "authenticator",
    completion: {
      by: "link",
      path: "prove",
      recipient: "user",
      waitingFor: "the user signs in with their passkey",
    },
  },
  ID_DOCUMENT: { assurance: "proofing", completion: { by: "agent" } },
  EMPLOYEE_RECORD: { assurance: "knowledge", completion: { by: "agent" } },
} as const satisfies Record<StepKind, StepKindDefinition>;

export const STEP_ASSURANCE: Record<StepKind, Assurance> = Object.fromEntries(
  STEP_KINDS.map((kind) => [kind, STEP_KIND_REGISTRY[kind].assurance]),
) as Record<StepKind, Assurance>;

type KindsBy<B extends "agent" | "link"> = {
  [K in StepKind]: (typeof STEP_KIND_REGISTRY)[K]["completion"]["by"] extends B ? K : never;
}[StepKind];
export type AgentRecordedStep = KindsBy<"agent">;
export type LinkedStep = KindsBy<"link">;

/** Steps the agent records; the others complete only from the person who answers (manager, user). */
export const AGENT_RECORDED_STEPS = STEP_KINDS.filter(
  (kind) => STEP_KIND_REGISTRY[kind].completion.by === "agent",
) as [AgentRecordedStep, ...AgentRecordedStep[]];
/** Steps completed by someone else through a one-time link. */
export const LINKED_STEPS = STEP_KINDS.filter(
  (kind) => STEP_KIND_REGISTRY[kind].completion.by === "link",
) as [LinkedStep, ...LinkedStep[]];

export function isAgentRecorded(kind: StepKind): kind is AgentRecordedStep {
  return STEP_KIND_REGISTRY[kind].completion.by === "agent";
}

export function isLinked(kind: StepKind): kind is LinkedStep {
  return STEP_KIND_REGISTRY[kind].completion.by === "link";
}

export function linkCompletion(kind: LinkedStep) {
  return STEP_KIND_REGISTRY[kind].completion;
}
