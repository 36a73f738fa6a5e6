/**
 * Whether a path segment or filter value is a UUID as PostgreSQL reads one (8-4-4-4-12 hex
 * digits). Anything else would be a database error (a 500) rather than "not found".
 */
export function isUuid(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  );
}
