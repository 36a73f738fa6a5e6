/**
 * GET /audit/export?format=jsonl|csv|ocsf&<filters>: the filtered audit trail as a download,
 * streamed (ocsf: OCSF 1.9.0-dev events as JSON Lines, docs/decisions/018-ocsf-events.md).
 * Security reviewers only (checked here, in the handler), after confirming it's them within the
 * step-up window (decision 015: the whole trail leaves the building); the export itself is audited.
 * A cross-site request is refused (403) before anything else: a link on another site must not
 * start a download in a reviewer's browser (docs/security-requirements.md G4). Invalid filters,
 * impossible dates included, answer 400 with the reasons.
 */
import { z } from "zod";
import { requirePermission, requireStepUp } from "@/lib/auth/session";
import { EXPORT_FORMATS } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { getRequestContext, routeRequestRefusal } from "@/lib/server/request-context";

const Format = z.enum(EXPORT_FORMATS);

const EXTENSIONS = {
  jsonl: ".jsonl",
  csv: ".csv",
  ocsf: ".ocsf.jsonl",
} satisfies Record<(typeof EXPORT_FORMATS)[number], string>;

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  const actor = await requirePermission("audit:read", "/audit");
  const stepUp = await requireStepUp(actor, "export the audit trail", "/audit/export");
  if (!stepUp.ok)
    return Response.json(
      { error: stepUp.message, stepUp: stepUp.next },
      { status: 403, headers: { "Cache-Control": "no-store" } },
    );
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { format: rawFormat, ...filters } = params;
  const format = Format.safeParse(rawFormat ?? "jsonl");
  const search = AuditSearchSchema.safeParse(filters);
  if (!format.success || !search.success) {
    return Response.json(
      {
        error:
          [...(format.error?.issues ?? []), ...(search.error?.issues ?? [])]
            .map((i) => i.message)
            .join(" ") || "Bad export request.",
      },
      { status: 400 },
    );
  }
  const body = await exportAuditEvents({
    actor,
    search: search.data,
    format: format.data,
    request: await getRequestContext(),
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(body, {
    headers: {
      "Content-Type":
        format.data === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${stamp}${EXTENSIONS[format.data]}"`,
      "Cache-Control": "no-store",
    },
  });
}
