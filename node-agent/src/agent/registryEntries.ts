import { modelRegistryAbi } from "@arthaain/sdk";
import type { AgentContext } from "./context.ts";

/** The ModelRegistry entries a job names (id 0: none): what evaluation checks and what the run fetches. */
export async function readRegistryEntries(ctx: AgentContext, job: { modelId: number; datasetId: number }) {
  const registry = { address: ctx.deployment.contracts.modelRegistry, abi: modelRegistryAbi } as const;
  const [model, dataset] = await Promise.all([
    job.modelId === 0
      ? undefined
      : ctx.publicClient.readContract({ ...registry, functionName: "getModel", args: [job.modelId] }),
    job.datasetId === 0
      ? undefined
      : ctx.publicClient.readContract({ ...registry, functionName: "getDataset", args: [job.datasetId] }),
  ]);
  return { model, dataset };
}
