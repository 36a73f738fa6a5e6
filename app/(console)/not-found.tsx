import { NotFoundMessage } from "@/components/fallback-pages";

/** A console page that does not exist, inside the console's main landmark. */
export default function ConsoleNotFound() {
  return <NotFoundMessage />;
}
