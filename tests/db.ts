/** The database client tests use to arrange and inspect rows: the app's own, on the file's database. */
export { db } from "@/lib/db";
