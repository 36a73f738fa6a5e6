import "server-only";
import { db } from "@/lib/db";
import { hashToken } from "./secrets";

/** Signs a workforce user out: the session row is deleted, so the cookie is worthless. */
export async function endWorkforceSession(input: { token: string }): Promise<void> {
  await db.workforceSession.deleteMany({ where: { tokenHash: hashToken(input.token) } });
}
