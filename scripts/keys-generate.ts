/**
 * `npm run keys:generate -- <folder>`: makes the console's audit key pairs for a deployment (the
 * event key and the checkpoint key, Ed25519, scripts/lib/console-keys.ts) in a folder kept off the
 * database host, and prints the environment lines that point the console at them, on standard
 * output alone, so `npm run --silent keys:generate -- <folder> >> .env` adds them to an
 * environment file. Refuses to overwrite any key.
 */
import { KeysRefused, writeConsoleKeys } from "./lib/console-keys.ts";

const folder = process.argv[2];
if (!folder || folder.startsWith("-")) {
  console.error(
    "Usage: npm run keys:generate -- <folder>   (a folder off the database host, e.g. /etc/recovery-console/keys)",
  );
  process.exit(2);
}
try {
  const written = writeConsoleKeys(folder);
  for (const line of written.envLines) console.log(line);
  for (const warning of written.warnings) console.error(`WARNING: ${warning}`);
  console.error(
    `Wrote ${written.files.length} files in ${written.folder} (private keys readable by this user only); the variables that name them went to standard output: set them in the console's environment.`,
  );
} catch (error) {
  if (!(error instanceof KeysRefused)) throw error;
  console.error(`No keys written: ${error.message}`);
  process.exit(1);
}
