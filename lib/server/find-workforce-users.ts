import "server-only";
import { db } from "@/lib/db";
import type { DirectorySearch } from "@/lib/domain/workforce";
import { searchDirectory } from "./workforce-directory";

export {
  DIRECTORY_COUNT_CAP,
  DIRECTORY_PAGE_SIZE,
  type DirectoryPage,
  type DirectoryRow,
} from "./workforce-directory";

/**
 * The workforce directory: by employee ID (exact), email or name (substring, served by
 * trigram indexes), optionally filtered by tier and status. Selects only what the list shows;
 * counts matches up to a cap and active passkeys for the page's users only (workforce-directory.ts).
 */
export function findWorkforceUsers(search: DirectorySearch) {
  return searchDirectory(db, search);
}
