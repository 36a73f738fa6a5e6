"use server";

import { staffAction } from "@/lib/auth/actions";
import { saveScenario } from "@/lib/server/practice/scenario-authoring";
import { SaveScenarioSchema } from "./schema";

export const saveScenarioAction = staffAction(
  "scenarios:write",
  SaveScenarioSchema,
  async ({ actor, input, request }) => {
    const result = await saveScenario({
      actor,
      key: input.key === "" ? null : input.key,
      baseVersion: input.baseVersion,
      text: input.text,
      note: input.note,
      request,
    });
    if (!result.ok)
      return {
        status: "invalid",
        fieldErrors: {},
        formErrors: [
          "Nothing was saved.",
          ...result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)),
        ],
      };
    return `Saved as version ${result.version} of “${result.key}”. Runs that already started keep the version they played.`;
  },
  {
    path: (formData) => {
      const key = formData.get("key");
      return typeof key === "string" && /^[a-z0-9-]{1,80}$/.test(key)
        ? `/practice/scenarios/${key}`
        : "/practice/scenarios/new";
    },
    revalidate: (input) => ["/practice/scenarios", `/practice/scenarios/${input.key}`],
  },
);
