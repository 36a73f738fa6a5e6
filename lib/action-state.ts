/**
 * What every server action returns (STYLE.md "How errors reach the user"): expected errors
 * are values, not exceptions.
 */
export type ActionState =
  | { status: "idle" }
  | { status: "ok"; message: string }
  | { status: "invalid"; fieldErrors: Record<string, string[] | undefined> }
  | { status: "refused"; message: string };

export const idle: ActionState = { status: "idle" };

/** FormData as a plain object, without the framework's `$ACTION_*` bookkeeping fields. */
export function formFields(formData: FormData): Record<string, FormDataEntryValue> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$ACTION")));
}
