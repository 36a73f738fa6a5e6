/**
 * Staff session lifetime (docs/product.md policy defaults; NIST SP 800-63B-4 §2.2.3): a session
 * ends after 30 minutes without use, and 12 hours after sign-in whatever happens.
 */
export const STAFF_SESSION_IDLE_MS = 30 * 60 * 1000;
export const STAFF_SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

export type SessionTimes = { createdAt: Date; expires: Date };

/** The new idle deadline when the session is used at `now`: never past the absolute cap. */
export function nextSessionDeadline(session: Pick<SessionTimes, "createdAt">, now: Date): Date {
  const idle = now.getTime() + STAFF_SESSION_IDLE_MS;
  const absolute = session.createdAt.getTime() + STAFF_SESSION_ABSOLUTE_MS;
  return new Date(Math.min(idle, absolute));
}

export function isSessionLive(session: SessionTimes, now: Date): boolean {
  return (
    session.expires.getTime() > now.getTime() &&
    now.getTime() < session.createdAt.getTime() + STAFF_SESSION_ABSOLUTE_MS
  );
}

/** When the session ends whatever happens; the cookie is given this expiry, the server enforces the rest. */
export function sessionAbsoluteDeadline(createdAt: Date): Date {
  return new Date(createdAt.getTime() + STAFF_SESSION_ABSOLUTE_MS);
}
