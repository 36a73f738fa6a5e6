import "server-only";
import { db } from "@/lib/db";
import { directoryPhoneRegions } from "@/lib/env";
import type { DirectorySearch } from "@/lib/domain/workforce";
import { searchDirectory } from "./workforce-directory";

export {
  DIRECTORY_COUNT_CAP,
  DIRECTORY_PAGE_SIZE,
  type DirectoryPage,
  type DirectoryRow,
} from "./workforce-directory";

/**
 * The workforce directory: by name (any order, "Surname, First"), email or `first.last`, phone
 * in any written form, employee ID or part of one (lib/domain/directory-query.ts), optionally
 * filtered by tier and status, exact identifiers first. Selects only what the list shows; counts
 * matches up to a cap and active passkeys for the page's users only (workforce-directory.ts).
 */
export function findWorkforceUsers(search: DirectorySearch) {
  return searchDirectory(db, search, { phoneRegions: directoryPhoneRegions });
}
