import { NotFoundMessage } from "@/components/fallback-pages";

/** A public page that is not there (the demo mailbox without the demo), inside the layout's main. */
export default function PublicNotFound() {
  return <NotFoundMessage />;
}
