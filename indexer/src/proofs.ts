// ProofOfCompute: challenges of results and how disputes end (the job's side is AIJobManager's events).
import { ponder } from "ponder:registry";
import { challenge } from "ponder:schema";
import { and, eq } from "ponder";
import { originOf } from "./origin.ts";
import { tell, updateChallenge } from "./story.ts";

ponder.on("ProofOfCompute:Challenged", async ({ event, context }) => {
  const { jobId, challenger, bond, timeoutAt } = event.args;
  await tell(context, "challenges", {
    id: event.id,
    jobId,
    challenger,
    bond,
    timeoutAt: BigInt(timeoutAt),
    status: "open",
    bondReturned: null,
    ...originOf(event),
  });
});

ponder.on("ProofOfCompute:DisputeUnresolved", async ({ event, context }) => {
  const { jobId, bondReturned } = event.args;
  // The job's open challenge (one at a time: a disputed job cannot be challenged again).
  const [open] = await context.db.sql
    .select()
    .from(challenge)
    .where(and(eq(challenge.jobId, jobId), eq(challenge.status, "open")));
  if (open) await updateChallenge(context, jobId, open.id, { status: "unresolved", bondReturned });
});
