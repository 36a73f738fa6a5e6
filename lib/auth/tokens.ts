import "server-only";
/** Session tokens: 256 random bits (ASVS 7.2.3 asks for at least 128), never a UUID. */
export { newToken as newSessionToken } from "@/lib/server/secrets";
