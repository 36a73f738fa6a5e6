/**
 * A multipart body parsed exactly as Next parses a server action's (a fetch action's) form: with
 * the busboy Next ships, and its options. The edge uses it to refuse, with a 400, a body Next
 * would fail on with a 500 (lib/domain/edge-rules.ts actionBodyProblem). The Fetch standard's
 * parser is more lenient (a bare LF in a part header, for one), so it will not do here.
 */
import { Readable } from "node:stream";
import { createRequire } from "node:module";
import type { FormEntries, MultipartParser } from "../../lib/domain/edge-rules.ts";

type Busboy = NodeJS.WritableStream & {
  on(event: "field", listener: (name: string, value: string) => void): Busboy;
  on(
    event: "file",
    listener: (
      name: string,
      stream: NodeJS.ReadableStream,
      info: { mimeType: string; encoding: string },
    ) => void,
  ): Busboy;
  on(event: "error", listener: (error: unknown) => void): Busboy;
  on(event: "close", listener: () => void): Busboy;
};
type BusboyFactory = (options: {
  headers: Record<string, string>;
  defParamCharset: string;
  limits: { fieldSize: number };
}) => Busboy;

const busboy = createRequire(import.meta.url)("next/dist/compiled/busboy") as BusboyFactory;

export function busboyParser(fieldSize: number): MultipartParser {
  return (contentType, body) =>
    new Promise<FormEntries | null>((resolve) => {
      let parser: Busboy;
      try {
        parser = busboy({
          headers: { "content-type": contentType },
          defParamCharset: "utf8",
          limits: { fieldSize },
        });
      } catch {
        return resolve(null);
      }
      const entries: FormEntries = [];
      let failed = false;
      // A part with an empty or no name comes out of busboy with no name at all, and React's
      // decoder then fails on it: for Next, such a body is unreadable.
      parser.on("field", (name, value) => {
        if (typeof name === "string" && name !== "") entries.push([name, value]);
        else failed = true;
      });
      parser.on("file", (name, stream, info) => {
        if (typeof name !== "string" || name === "") failed = true;
        // React fails a file part sent with Content-Transfer-Encoding: base64 (no browser does).
        if ((info.encoding ?? "").toLowerCase() === "base64") failed = true;
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", () => (failed = true));
        stream.on("end", () =>
          entries.push([
            name,
            new Blob([Buffer.concat(chunks)] as BlobPart[], { type: info.mimeType }),
          ]),
        );
      });
      parser.on("error", () => resolve(null));
      parser.on("close", () => resolve(failed ? null : entries));
      Readable.from([Buffer.from(body)]).pipe(parser);
    });
}
