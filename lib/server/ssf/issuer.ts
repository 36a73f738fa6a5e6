import { publicUrl } from "@/lib/env";

/** The transmitter's issuer: the console's public URL (no trailing slash). */
export function ssfIssuer(): string {
  return publicUrl;
}
