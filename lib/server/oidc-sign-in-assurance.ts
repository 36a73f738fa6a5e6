import "server-only";
/**
 * Carries the ID token's `amr`, `acr` and `auth_time` from next-auth's signIn callback (which sees
 * the claims) to the adapter's createSession (which starts the session but is not given them),
 * within one request to the next-auth route: app/api/auth/[...nextauth]/route.ts runs each
 * request inside `withSignInAssurance`. Nothing outlives the request.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { assuranceFromClaims, type SignInAssurance } from "@/lib/domain/step-up";

const store = new AsyncLocalStorage<{ assurance: SignInAssurance | null }>();

export function withSignInAssurance<T>(run: () => T): T {
  return store.run({ assurance: null }, run);
}

/** Called from the signIn callback with the ID token's claims. */
export function rememberSignInAssurance(claims: Record<string, unknown>): void {
  const current = store.getStore();
  if (current) current.assurance = assuranceFromClaims(claims);
}

/** What the provider said about this request's sign-in; null outside one (fail closed: no step-up). */
export function currentSignInAssurance(): SignInAssurance | null {
  return store.getStore()?.assurance ?? null;
}
