/**
 * The environment file the console's commands read before anything else (`npm start`,
 * `npm run db:deploy`, `npm run db:seed`, the audit commands): `.env` in the checkout when there
 * is one, or the file CONSOLE_ENV_FILE names (e.g. one kept outside the checkout). Variables
 * already set in the environment win over the file's.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** Loads the file; a problem with it is one line on standard error and exit status 2. */
export function loadEnvironmentFile(): void {
  const named = process.env.CONSOLE_ENV_FILE || undefined;
  const file = path.resolve(root, named ?? ".env");
  if (!named && !existsSync(file)) return;
  try {
    // Checked first: Node's loader says ENOENT for a file it may not read.
    accessSync(file, constants.R_OK);
    process.loadEnvFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === "ENOENT"
        ? `CONSOLE_ENV_FILE names ${file}, which does not exist: fix the path, or unset CONSOLE_ENV_FILE to read .env in the checkout.`
        : `${named ? `CONSOLE_ENV_FILE names ${file}, which` : `${file}`} cannot be read by user ${userInfo().username} (${code ?? (error as Error).message}): make it readable by the user that runs the console (and by nobody else: it holds passwords).`,
    );
    process.exit(2);
  }
}
