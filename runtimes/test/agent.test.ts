// The agent CPU image with the example agent (runtimes/agent/examples/csv_analyst.py): its
// transcript and answer, the refusal of a host the spec does not allow, an allowed HTTP call to a
// server on 127.0.0.1 (host network; nothing leaves this machine), a verifier's replay, and budgets.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outputRootOfDirectory } from "../../sdk/src/outputs/outputRoot.node.ts";
import { createWorkspace, type JobInput, type JobOutcome } from "./fixtures.ts";
import { buildRuntimeImages } from "./images.ts";

const docker = new Docker();
const work = createWorkspace(docker);
const PROGRAM = readFileSync(new URL("../agent/examples/csv_analyst.py", import.meta.url));
const SALES = "region,price,qty\nnorth,10,1\nsouth,20,2\nnorth,14,3\neast,7,1\nnorth,12.5,2\n";
let image: string;
let server: Server;
let port: number;
let requests: string[] = [];

type Line = Record<string, unknown> & { type: string };
const transcriptOf = (job: JobOutcome): Line[] =>
  readFileSync(join(job.outDir, "transcript.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

function agentJob(task: Record<string, unknown>, agent: Record<string, unknown> = {}, run?: JobInput["run"]) {
  return work.run(image, {
    spec: {
      kind: "agent",
      seed: 1,
      runtime: { agent: { program: "csv_analyst.py", task, maxSteps: 8, ...agent } },
    },
    data: { "sales.csv": SALES },
    model: { "csv_analyst.py": PROGRAM },
    run,
  });
}

beforeAll(async () => {
  image = (await buildRuntimeImages()).agent;
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ rate: 2 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  work.dispose();
});

describe("agent runtime: the example agent", () => {
  it("answers a question about a CSV by choosing tools, and records every step", async () => {
    const job = await agentJob({ question: "What is the average of price where region is north?" });
    expect(job.run.exitCode, job.run.stderr).toBe(0);
    expect(job.result).toMatchObject({
      status: "succeeded",
      kind: "agent",
      answer: { value: 12.166666666666666, rows: 3 },
      metrics: { steps: 4, toolCalls: 3, refusals: 0 },
    });
    const lines = transcriptOf(job);
    expect(lines.map((l) => l.tool ?? l.type)).toEqual([
      "start",
      "list_files",
      "csv_columns",
      "csv_stats",
      "answer",
    ]);
    expect(lines[0]).toMatchObject({
      program: "csv_analyst.py",
      programSha256: createHash("sha256").update(PROGRAM).digest("hex"),
      maxSteps: 8,
      allowHosts: [],
    });
    expect(lines[1]).toEqual({
      type: "tool",
      step: 1,
      tool: "list_files",
      input: { dir: "data" },
      output: { files: [{ path: "data/sales.csv", size: SALES.length }] },
    });
    expect(lines[2]!.output).toEqual({
      path: "data/sales.csv",
      columns: ["region", "price", "qty"],
      rows: 5,
    });
    expect(lines[3]).toMatchObject({
      tool: "csv_stats",
      input: {
        path: "data/sales.csv",
        column: "price",
        op: "mean",
        where: { column: "region", equals: "north" },
      },
      output: { value: 12.166666666666666, rows: 3 },
    });
    expect(lines[4]).toMatchObject({ type: "answer", step: 4, answer: job.result!.answer });
    // The transcript is declared, and it is what the output root covers besides result.json.
    const { entries } = await outputRootOfDirectory(job.outDir);
    expect(entries.map((e) => e.path)).toEqual(["result.json", "transcript.jsonl"]);
    expect((job.result as { outputs: unknown[] }).outputs).toEqual([
      { path: "transcript.jsonl", role: "transcript", sha256: entries[1]!.sha256, size: entries[1]!.size },
    ]);
  });

  it("refuses a host the spec does not allow, records the refusal and answers without it", async () => {
    requests = [];
    const url = `http://127.0.0.1:${port}/rate?currency=EUR`;
    const job = await agentJob(
      { question: "What is the sum of qty?", convertUrl: url },
      { allowHosts: ["127.0.0.1:1"] },
    );
    expect(job.run.exitCode, job.run.stderr).toBe(0);
    const refusal = transcriptOf(job).find((l) => l.tool === "http_get");
    expect(refusal).toEqual({
      type: "tool",
      step: 4,
      tool: "http_get",
      input: { url },
      output: {
        refused: true,
        reason: `host 127.0.0.1:${port} is not in runtime.agent.allowHosts ["127.0.0.1:1"]`,
      },
    });
    expect(job.result).toMatchObject({ answer: { value: 9, converted: false }, metrics: { refusals: 1 } });
    expect(requests).toEqual([]);
  });

  let allowed: JobOutcome;
  it("calls an allowed host (a server on 127.0.0.1, host network) and records its response", async () => {
    requests = [];
    const url = `http://127.0.0.1:${port}/rate?currency=EUR`;
    allowed = await agentJob(
      { question: "What is the max of price?", convertUrl: url },
      { allowHosts: [`127.0.0.1:${port}`] },
      { network: "host" },
    );
    expect(allowed.run.exitCode, allowed.run.stderr).toBe(0);
    expect(requests).toEqual(["/rate?currency=EUR"]);
    const call = transcriptOf(allowed).find((l) => l.tool === "http_get");
    expect(call?.output).toMatchObject({ status: 200, body: '{"rate":2}', contentType: "application/json" });
    expect(allowed.result).toMatchObject({
      answer: { value: 40, converted: true, rate: 2 },
      metrics: { refusals: 0 },
    });
  });

  it("replays the recorded run offline to the same output root, and catches a doctored record", async () => {
    const recorded = join(allowed.dir, "recorded.jsonl");
    writeFileSync(recorded, readFileSync(join(allowed.outDir, "transcript.jsonl")));
    const spec = JSON.parse(readFileSync(join(allowed.dir, "spec.json"), "utf8"));
    const replay = (file: string) =>
      work.run(image, {
        spec,
        data: { "sales.csv": SALES },
        model: { "csv_analyst.py": PROGRAM },
        run: {
          network: "none",
          env: { ARTHA_AGENT_REPLAY: "/artha/in/replay/transcript.jsonl" },
          extraMounts: [{ hostPath: file, containerPath: "/artha/in/replay/transcript.jsonl" }],
        },
      });
    requests = [];
    const honest = await replay(recorded);
    expect(honest.run.exitCode, honest.run.stderr).toBe(0);
    expect(requests).toEqual([]);
    expect((await outputRootOfDirectory(honest.outDir)).root).toBe(
      (await outputRootOfDirectory(allowed.outDir)).root,
    );

    const doctored = join(allowed.dir, "doctored.jsonl");
    writeFileSync(doctored, readFileSync(recorded, "utf8").replace('{\\"rate\\":2}', '{\\"rate\\":3}'));
    const caught = await replay(doctored);
    expect(caught.run.exitCode).toBe(3);
    expect(caught.run.lastErrorLine).toMatch(
      /^artha: error \(replay-mismatch\): replay differs at transcript line 6 \(step 5 answer\): recorded .*"value": 40\.0.*, replayed .*"value": 60\.0/,
    );
  });
});

describe("agent runtime: failures", () => {
  it("stops at the step budget", async () => {
    const job = await agentJob({ question: "What is the mean of price?" }, { maxSteps: 2 });
    expect(job.run.exitCode).toBe(3);
    expect(job.run.lastErrorLine).toBe(
      "artha: error (step-budget-exhausted): the agent used all 2 steps (runtime.agent.maxSteps) without an answer",
    );
    expect(job.result).toMatchObject({ status: "failed", error: { code: "step-budget-exhausted" } });
    expect(transcriptOf(job)).toHaveLength(3);
  });

  it("refuses a missing agent program", async () => {
    const job = await work.run(image, {
      spec: { kind: "agent", seed: 1, runtime: { agent: { program: "nope.py", task: {} } } },
    });
    expect(job.run.exitCode).toBe(2);
    expect(job.run.lastErrorLine).toBe(
      "artha: error (missing-program): agent program model/nope.py does not exist under /artha/in/model",
    );
  });

  it("reports an agent program that raises, with the step", async () => {
    const job = await work.run(image, {
      spec: { kind: "agent", seed: 1, runtime: { agent: { program: "boom.py", task: {} } } },
      model: {
        "boom.py":
          "def next_action(task, history):\n    return {'tool': 'list_files', 'input': {}} if not history else 1 / 0\n",
      },
    });
    expect(job.run.exitCode).toBe(3);
    expect(job.run.lastErrorLine).toBe(
      "artha: error (agent-error): step 2: agent program raised ZeroDivisionError: division by zero",
    );
  });
});
