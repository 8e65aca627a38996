// The query parameters of each list route, as zod shapes: the routes check requests with them and the
// OpenAPI document is built from them (no ponder imports here, so both can use them).
import { jobSpecKinds, jobStateLabel, jobStates } from "@arthaain/sdk";
import { z } from "zod";
import { address, bool, id32, id64, limit } from "./query.ts";

const states = jobStates.slice(1).map((_, i) => jobStateLabel(i + 1));

export const jobFilters = {
  state: z
    .enum(states as [string, ...string[]], { error: `expected one of ${states.join(", ")}` })
    .optional(),
  kind: z.enum(jobSpecKinds, { error: `expected one of ${jobSpecKinds.join(", ")}` }).optional(),
  requester: address.optional(),
  node: address.optional(),
  model: id32("a model id").optional(),
  dataset: id32("a dataset id").optional(),
  limit,
  cursor: id64("a job id from nextCursor").optional(),
};

export const datasetFilters = {
  owner: address.optional(),
  limit,
  cursor: id32("a dataset id from nextCursor").optional(),
};
export const modelFilters = {
  owner: address.optional(),
  parent: id32("a model id (0 for models without a parent)").optional(),
  dataset: id32("a dataset id").optional(),
  published: bool.optional(),
  limit,
  cursor: id32("a model id from nextCursor").optional(),
};

const count = (what: string) =>
  z
    .string()
    .regex(/^\d{1,5}$/, `expected ${what}, a whole number`)
    .transform(Number);

export const nodeFilters = {
  active: bool.optional(),
  minGpus: count("a GPU count").optional(),
  minVramGb: count("GB of VRAM per GPU").optional(),
  limit,
  cursor: address.optional(),
};
