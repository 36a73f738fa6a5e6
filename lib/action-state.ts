import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "@/lib/domain/database-unavailable";
import { isDomainError } from "@/lib/domain/errors";

/**
 * What every server action returns (docs/decisions/003-error-model.md): expected errors
 * are values, not exceptions. Shared by the actions and the forms that show their answers (client
 * modules), so no zod here: `invalid`, which reads a ZodError, is in ./action-state-invalid.ts.
 */
export type ActionState =
  | { status: "idle" }
  | { status: "ok"; message: string }
  | { status: "invalid"; fieldErrors: Record<string, string[] | undefined>; formErrors: string[] }
  /**
   * `stepUp`: refused because a high-risk act needs a fresh step-up (decision 015); the form offers
   * "Confirm it's you" ("confirm"), or a link to set up a staff passkey ("enrol").
   */
  | { status: "refused"; message: string; stepUp?: "confirm" | "enrol" };

export const idle: ActionState = { status: "idle" };

/** FormData as a plain object, without the framework's `$ACTION_*` bookkeeping fields. */
export function formFields(formData: FormData): Record<string, FormDataEntryValue> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$ACTION")));
}

/** All of an invalid state's messages, for a form that shows them in one place. */
export function invalidMessages(state: Extract<ActionState, { status: "invalid" }>): string {
  return [...state.formErrors, ...Object.values(state.fieldErrors).flat()].join(" ");
}

export const FORM_CHANGED = "This form was changed outside the console and was not accepted.";

/** For strict form schemas: a field the form never had means the form was tampered with. */
export const UNEXPECTED_FIELDS = {
  error: (issue: { code?: string }) =>
    issue.code === "unrecognized_keys" ? FORM_CHANGED : undefined,
};

/**
 * What a form action answers when it is called with something other than a form (a hand-made
 * request can pass any value as the action's arguments): nothing is read, nothing changes.
 */
export const NOT_A_FORM: ActionState = {
  status: "invalid",
  fieldErrors: {},
  formErrors: [FORM_CHANGED],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The page an action is about, from a raw (unparsed) form field, for what must be known before
 * the form is parsed: where sign-in returns to, and the path a denial's audit row records.
 * Only a UUID-shaped value is used; anything else gives the list page.
 */
export function pathFor(list: string, id: FormDataEntryValue | null): string {
  return typeof id === "string" && UUID.test(id) ? `${list}/${id.toLowerCase()}` : list;
}

/**
 * Runs a use case for an action: its success message becomes `ok`; a rule's refusal
 * (DomainError) becomes `refused` with its user-safe message, and so does the database going away
 * (a failover, decision 043: "try again"); anything else is a bug and throws.
 */
export async function attempt(run: () => Promise<string>): Promise<ActionState> {
  try {
    return { status: "ok", message: await run() };
  } catch (error) {
    if (isDomainError(error)) return { status: "refused", message: error.userMessage };
    if (isDatabaseUnavailable(error)) return { status: "refused", message: DATABASE_UNAVAILABLE };
    throw error;
  }
}
