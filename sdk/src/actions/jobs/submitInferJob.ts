import type { ArthaWriteContext } from "../../client/context.ts";
import type { JobSpec, JobSpecInput } from "../../spec/jobSpec.ts";
import { JobRequestError } from "./jobRequestError.ts";
import { type SubmitJobParameters, type SubmitJobReturnType, submitJob } from "./submitJob.ts";

/** submitJob for an infer spec: a spec of another kind is refused before anything is stored or sent. */
export async function submitInferJob(
  ctx: ArthaWriteContext,
  p: SubmitJobParameters & { spec: (JobSpecInput | JobSpec) & { kind: "infer" } },
): Promise<SubmitJobReturnType> {
  // Checked at run time too: the spec may come from a file, typed as any.
  const kind = (p.spec as { kind?: unknown }).kind;
  if (kind !== "infer") {
    throw new JobRequestError(
      "spec.kind",
      `submitInferJob takes an "infer" spec, got ${JSON.stringify(kind)}`,
    );
  }
  return submitJob(ctx, p);
}
