import "server-only";
/**
 * The only way to build a server action (decision 011). Every export of a 'use server' module
 * is made by one of these wrappers; tests/unit/server-actions-guard.test.ts fails otherwise.
 *
 * - Staff: `staffAction` (a form with ActionState), `staffButtonAction` (a button with no input),
 *   `staffCall` (client code calling with arguments: the staff passkey ceremonies).
 *   The guard runs FIRST, before the input is even read: signed out is a redirect to sign-in,
 *   a role without the permission a 403 (audited). A high-risk act says `stepUp` (decision 015):
 *   right after the guard, a session that has not confirmed it's them within the window is
 *   refused (audited), before anything is parsed or done.
 * - Public, for callers with no staff session by design (a link's token, a pass, the passkey
 *   itself is the credential, checked by the use case): `publicAction`, `publicButtonAction`,
 *   and `publicCall` for client code that calls an action with arguments (WebAuthn ceremonies).
 *
 * Before anything, a request whose Origin is not the console's own is refused (foreignOriginRefusal);
 * public actions then spend one try of the client's anonymous budget (lib/server/rate-limit.ts);
 * both refusals are counted, not audited one row each (decision 002).
 * Then input is parsed with zod (invalid input changes nothing), the body runs with the request
 * context for the audit trail, a DomainError becomes a refusal with its user-safe message, and
 * anything else (a bug, or Next's redirect/notFound signals) is rethrown.
 */
import { revalidatePath } from "next/cache";
import { rateLimitedMessage } from "@/lib/domain/rate-limits";
import { clientKey, spend } from "@/lib/server/rate-limit";
import { countRefusal } from "@/lib/server/refusal-tally";
import { type z } from "zod";
import { formFields, NOT_A_FORM, type ActionState } from "@/lib/action-state";
import { invalid } from "@/lib/action-state-invalid";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "@/lib/domain/database-unavailable";
import { isDomainError } from "@/lib/domain/errors";
import { log } from "@/lib/server/log";
import { type Permission } from "@/lib/domain/roles";
import {
  foreignOriginRefusal,
  getRequestContext,
  type RequestContext,
} from "@/lib/server/request-context";
import { requirePermission, requireStaff, requireStepUp, type CurrentStaff } from "./session";

/** Who may call a staff action: staff with a permission, or any signed-in staff member. */
export type StaffGuard = Permission | "signed-in";

/** A form action for `useActionState` (components/action-form.tsx). */
export type StateAction = (previous: ActionState, formData: FormData) => Promise<ActionState>;
/** A `<form action>` with no fields and no state to show, e.g. a sign-out button. */
export type ButtonAction = (formData: FormData) => Promise<void>;
/** What `publicCall` actions return to the client code that calls them. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; message: string };

type Paths = string | string[];

type FormOptions<Input> = {
  /**
   * What to parse, from the submitted form. Default: `formFields(formData)` (one value per
   * name). Checkboxes need every value: `(formData) => ({ ...formFields(formData), revoke: formData.getAll("revoke") })`.
   */
  fields?: (formData: FormData) => unknown;
  /** Paths to revalidate once the body has returned or been refused (not on invalid input, not when it throws). */
  revalidate?: Paths | ((input: Input) => Paths);
};

type StaffFormOptions<Input> = FormOptions<Input> & {
  /** Where sign-in comes back to, and the path recorded on a denial. Read from the raw form: it is needed before parsing. */
  path: string | ((formData: FormData) => string);
  /**
   * A high-risk act (decision 015): what it is, in a few words for the audit trail ("decide an
   * approval"). The session must have confirmed it's them within the step-up window, checked
   * right after the guard; otherwise the action is refused, audited, and nothing is parsed or done.
   */
  stepUp?: string;
};

/** A body's result: a success message, or a state of its own choosing. */
type Outcome = string | ActionState;

export type StaffActionContext<Input> = {
  actor: CurrentStaff;
  input: Input;
  formData: FormData;
  request: RequestContext;
};
export type PublicActionContext<Input> = {
  input: Input;
  formData: FormData;
  request: RequestContext;
};

/** A form action for staff: guard, parse, run, refusals as values, revalidate. */
export function staffAction<S extends z.ZodType>(
  guard: StaffGuard,
  schema: S,
  body: (context: StaffActionContext<z.output<S>>) => Promise<Outcome>,
  options: StaffFormOptions<z.output<S>>,
): StateAction {
  return async (_previous, formData) => {
    const foreign = await foreignOriginRefusal();
    if (foreign) return { status: "refused", message: foreign };
    if (!(formData instanceof FormData)) return NOT_A_FORM;
    const path = typeof options.path === "function" ? options.path(formData) : options.path;
    const actor = await requireGuard(guard, path);
    if (options.stepUp) {
      const stepUp = await requireStepUp(actor, options.stepUp, path);
      if (!stepUp.ok) return { status: "refused", message: stepUp.message, stepUp: stepUp.next };
    }
    return parseAndRun(schema, formData, options, (input, request) =>
      body({ actor, input, formData, request }),
    );
  };
}

/**
 * A form action whose caller has no staff session by design. Using it says so: the body (its use
 * case) must check whatever credential the caller brings (a token, a pass, a session cookie).
 */
export function publicAction<S extends z.ZodType>(
  schema: S,
  body: (context: PublicActionContext<z.output<S>>) => Promise<Outcome>,
  options: FormOptions<z.output<S>> = {},
): StateAction {
  return async (_previous, formData) => {
    const refusal = await anonymousRefusal();
    if (refusal) return { status: "refused", message: refusal };
    if (!(formData instanceof FormData)) return NOT_A_FORM;
    return parseAndRun(schema, formData, options, (input, request) =>
      body({ input, formData, request }),
    );
  };
}

/**
 * A staff button (`<form action={…}>` with no fields). There is no state to show a refusal in,
 * so nothing is caught: the body redirects, or throws like any error.
 */
export function staffButtonAction(
  guard: StaffGuard,
  body: (context: { actor: CurrentStaff; request: RequestContext }) => Promise<void>,
  options: { path: string; revalidate?: Paths },
): ButtonAction {
  return async () => {
    // No state to show a refusal in: a cross-site press does nothing.
    if (await foreignOriginRefusal()) return;
    const actor = await requireGuard(guard, options.path);
    await body({ actor, request: await getRequestContext() });
    revalidate(options.revalidate);
  };
}

/** As staffButtonAction, for a caller with no staff session by design. */
export function publicButtonAction(
  body: (context: { request: RequestContext }) => Promise<void>,
  options: { revalidate?: Paths } = {},
): ButtonAction {
  return async () => {
    if (await anonymousRefusal()) return;
    await body({ request: await getRequestContext() });
    revalidate(options.revalidate);
  };
}

/** One argument of a `publicCall` action: its schema, and the message when it does not parse. */
export type CallArgument<S extends z.ZodType = z.ZodType> = { schema: S; invalid: string };

type CallInputs<A extends readonly CallArgument[]> = {
  -readonly [K in keyof A]: A[K] extends CallArgument<infer S> ? z.output<S> : never;
};
type CallParameters<A extends readonly CallArgument[]> = { -readonly [K in keyof A]: unknown };

/**
 * An action that client code calls with arguments (not a form), for a caller with no staff
 * session by design. `credential`, if given, reads what the caller brings that is not an
 * argument (the account session cookie) FIRST, as a staff guard would; it refuses by throwing a
 * DomainError. Then each argument is parsed in order; the first that fails answers with its
 * `invalid` message. The body returns the value; a DomainError becomes `{ ok: false, message }`.
 */
export function publicCall<const A extends readonly CallArgument[], T, C = undefined>(
  args: A,
  body: (context: { input: CallInputs<A>; credential: C; request: RequestContext }) => Promise<T>,
  options: { credential?: () => Promise<C> } = {},
): (...values: CallParameters<A>) => Promise<CallResult<T>> {
  const refused = (message: string): CallResult<T> => ({ ok: false, message });
  return async (...values) =>
    refusalsAsValues<CallResult<T>>(async () => {
      const refusal = await anonymousRefusal();
      if (refusal) return refused(refusal);
      const credential = (options.credential ? await options.credential() : undefined) as C;
      const input: unknown[] = [];
      for (const [index, arg] of args.entries()) {
        const parsed = arg.schema.safeParse((values as unknown[])[index]);
        if (!parsed.success) return refused(arg.invalid);
        input.push(parsed.data);
      }
      const request = await getRequestContext();
      return {
        ok: true,
        value: await body({ input: input as unknown as CallInputs<A>, credential, request }),
      };
    }, refused);
}

/**
 * What every public action checks first: our own Origin, then the client's anonymous budget.
 * Returns the refusal to show, or null. Both are counted (not audited: nobody is known yet).
 */
async function anonymousRefusal(): Promise<string | null> {
  const foreign = await foreignOriginRefusal();
  if (foreign) {
    await countRefusal("action.foreign_origin", "FORBIDDEN");
    return foreign;
  }
  const spent = await spend([
    { limit: "anonymous.client", key: clientKey(await getRequestContext()) },
  ]);
  if (spent.ok) return null;
  await countRefusal("action.anonymous", "RATE_LIMITED");
  return rateLimitedMessage(spent.retryAfterSeconds);
}

/**
 * An action that client code calls with arguments (not a form), for signed-in staff: the staff
 * passkey ceremonies. The guard runs first, as in staffAction; then each argument is parsed in
 * order (the first that fails answers with its `invalid` message); a DomainError becomes
 * `{ ok: false, message }`.
 */
export function staffCall<const A extends readonly CallArgument[], T>(
  guard: StaffGuard,
  args: A,
  body: (context: {
    actor: CurrentStaff;
    input: CallInputs<A>;
    request: RequestContext;
  }) => Promise<T>,
  options: { path: string },
): (...values: CallParameters<A>) => Promise<CallResult<T>> {
  const refused = (message: string): CallResult<T> => ({ ok: false, message });
  return async (...values) => {
    const foreign = await foreignOriginRefusal();
    if (foreign) return refused(foreign);
    const actor = await requireGuard(guard, options.path);
    return refusalsAsValues<CallResult<T>>(async () => {
      const input: unknown[] = [];
      for (const [index, arg] of args.entries()) {
        const parsed = arg.schema.safeParse((values as unknown[])[index]);
        if (!parsed.success) return refused(arg.invalid);
        input.push(parsed.data);
      }
      const request = await getRequestContext();
      return {
        ok: true,
        value: await body({ actor, input: input as unknown as CallInputs<A>, request }),
      };
    }, refused);
  };
}

async function requireGuard(guard: StaffGuard, path: string): Promise<CurrentStaff> {
  return guard === "signed-in" ? requireStaff(path) : requirePermission(guard, path);
}

async function parseAndRun<S extends z.ZodType>(
  schema: S,
  formData: FormData,
  options: FormOptions<z.output<S>>,
  run: (input: z.output<S>, request: RequestContext) => Promise<Outcome>,
): Promise<ActionState> {
  const parsed = schema.safeParse((options.fields ?? formFields)(formData));
  if (!parsed.success) return invalid(parsed.error);
  const input = parsed.data;
  const request = await getRequestContext();
  const state = await refusalsAsValues<ActionState>(
    async (): Promise<ActionState> => {
      const outcome = await run(input, request);
      return typeof outcome === "string" ? { status: "ok", message: outcome } : outcome;
    },
    (message) => ({ status: "refused", message }),
  );
  revalidate(
    typeof options.revalidate === "function" ? options.revalidate(input) : options.revalidate,
  );
  return state;
}

/**
 * As `attempt` (lib/action-state.ts): a DomainError is a value with its user-safe message; the
 * database going away (a failover, decision 043) is a "try again" refusal; anything else throws.
 */
async function refusalsAsValues<R>(
  run: () => Promise<R>,
  refused: (message: string) => R,
): Promise<R> {
  try {
    return await run();
  } catch (error) {
    if (isDomainError(error)) {
      log().info({ code: error.code }, "action refused");
      return refused(error.userMessage);
    }
    if (isDatabaseUnavailable(error)) {
      log().warn(
        { err: String((error as Error)?.message) },
        "database unavailable during an action",
      );
      return refused(DATABASE_UNAVAILABLE);
    }
    throw error;
  }
}

function revalidate(paths: Paths | undefined): void {
  for (const path of typeof paths === "string" ? [paths] : (paths ?? [])) revalidatePath(path);
}
