import type { ArthaWriteContext } from "../../client/context.ts";
import type { JobSpec, JobSpecInput } from "../../spec/jobSpec.ts";
import { JobRequestError } from "./jobRequestError.ts";
import { type SubmitJobParameters, type SubmitJobReturnType, submitJob } from "./submitJob.ts";

/** submitJob for an agent spec: a spec of another kind is refused before anything is stored or sent. */
export async function submitAgentJob(
  ctx: ArthaWriteContext,
  p: Omit<SubmitJobParameters, "spec" | "modelId" | "datasetId"> & {
    spec: (JobSpecInput | JobSpec) & { kind: "agent" };
    /** Agent jobs need no model; default 0. */
    modelId?: bigint;
    /** Default 0. */
    datasetId?: bigint;
  },
): Promise<SubmitJobReturnType> {
  // Checked at run time too: the spec may come from a file, typed as any.
  const kind = (p.spec as { kind?: unknown }).kind;
  if (kind !== "agent") {
    throw new JobRequestError(
      "spec.kind",
      `submitAgentJob takes an "agent" spec, got ${JSON.stringify(kind)}`,
    );
  }
  return submitJob(ctx, { ...p, modelId: p.modelId ?? 0n, datasetId: p.datasetId ?? 0n });
}
