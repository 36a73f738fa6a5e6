import { NotAllowedMessage } from "@/components/fallback-pages";

/** A console page the role may not open, inside the console's main landmark. */
export default function ConsoleForbidden() {
  return <NotAllowedMessage />;
}
