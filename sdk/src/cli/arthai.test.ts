// The arthai binary run as a requester runs it: a child process per command against a Hardhat node with a
// deployment, a registered dataset and model (scripts/lib/agentNetwork.ts), checking what it prints and its
// exit codes, --json included. Jobs stay open until cancelled, except in the last two blocks: a node agent
// (artha-node) runs one, then an operator of the test's own submits results for the requester to challenge.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentNetwork,
  devKey,
  startAgentNetwork,
  trainSpec,
} from "../../../scripts/lib/agentNetwork.ts";
import { JobState, sha, TOKEN } from "../../../scripts/lib/artha.ts";
import { bidTopic } from "../market/bid.ts";
import { encodeBid } from "../market/encodeBid.ts";
import { startGossip } from "../market/gossip/startGossip.ts";
import { signBid } from "../market/signBid.ts";
import { encryptKeystore } from "../wallet/keystore.ts";

const BIN = join(import.meta.dirname, "arthai.ts");
const KEY = devKey(1);
const REQUESTER = privateKeyToAccount(KEY).address;
const PASSWORD = "correct horse battery";

let net: AgentNetwork;
let dir: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `arthai ...args` in `dir` with `env` over a clean environment (no ARTHAI_ variables, HOME = dir). */
function arthai(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ARTHAI_")));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...base, HOME: dir, XDG_CONFIG_HOME: "", ...env }, cwd: dir, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The chain, the deployment, the requester's key and the torch image, all from the environment. */
const chain = () => ({
  ARTHAI_RPC_URL: net.chain.rpcUrl,
  ARTHAI_DEPLOYMENT: net.deploymentFile,
  ARTHAI_PRIVATE_KEY: KEY,
  ARTHAI_IMAGE: net.images.torch,
});
const ok = (r: Ran) => {
  expect(r.stderr.split("\n").filter((l) => l.startsWith("arthai "))).toEqual([]);
  expect(r.code).toBe(0);
  return r;
};
const json = (r: Ran) => JSON.parse(ok(r).stdout);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arthai-cli-"));
  net = await startAgentNetwork({ dir, port: 8565 });
});

afterAll(async () => {
  await net?.stop();
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

describe("settings", () => {
  it("without a deployment, says the three ways to name one", async () => {
    const r = await arthai(["dataset", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("arthai dataset list: no deployment: pass --deployment");
    expect(r.stderr).toContain("ARTHAI_DEPLOYMENT");
  });

  it("reads ./arthai.json (paths relative to it), flags and environment over it, and shows the sources", async () => {
    const sub = join(dir, "project");
    mkdirSync(sub, { recursive: true });
    const file = join(sub, "arthai.json");
    writeFileSync(file, JSON.stringify({ rpcUrl: "http://127.0.0.1:1", deployment: "../deployment.json" }));
    const r = json(await arthai(["--json", "config", "-c", file], { ARTHAI_RPC_URL: net.chain.rpcUrl }));
    expect(r.file).toBe(file);
    expect(r.deployment).toEqual({ value: net.deploymentFile, source: `config file ${file}` });
    expect(r.rpcUrl).toEqual({ value: net.chain.rpcUrl, source: "ARTHAI_RPC_URL" });
    const flag = json(await arthai(["--json", "config", "-c", file, "--rpc", "http://127.0.0.1:2"]));
    expect(flag.rpcUrl).toEqual({ value: "http://127.0.0.1:2", source: "--rpc" });
    // And it is used: the file's deployment with the environment's RPC.
    const list = await arthai(["-c", file, "dataset", "list"], { ARTHAI_RPC_URL: net.chain.rpcUrl });
    expect(ok(list).stdout).toMatch(/^ID\s+SIZE\s+LICENSE/);
  });

  it("refuses a config file with an unknown or malformed setting, naming it", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ rpc: "http://x" }));
    const unknown = await arthai(["-c", file, "config"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`config file ${file}: unknown setting "rpc"`);
    writeFileSync(file, JSON.stringify({ rpcUrl: 8545 }));
    const malformed = await arthai(["-c", file, "config"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("rpcUrl: expected an http(s) URL");
    const missing = await arthai(["-c", join(dir, "nope.json"), "config"]);
    expect(missing.stderr).toContain("nope.json (--config) not found");
  });

  it("names the URL of a chain that does not answer", async () => {
    const r = await arthai(["dataset", "list", "--rpc", "http://127.0.0.1:9"], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach the chain at http://127.0.0.1:9 (--rpc)");
  });

  it("refuses an RPC serving another chain than the deployment's, with both ids", async () => {
    const other = join(dir, "other-chain.json");
    writeFileSync(other, JSON.stringify({ ...net.deployment, chainId: 5 }));
    const r = await arthai(["dataset", "list", "--deployment", other], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `wrong chain: the deployment ${other} is for chain 5, but the RPC at ${net.chain.rpcUrl} serves chain ${net.deployment.chainId}`,
    );
  });

  it("a transaction needs a wallet: a keystore with its password, or a raw key", async () => {
    const { ARTHAI_PRIVATE_KEY: _, ...noKey } = chain();
    const none = await arthai(["model", "publish", "1"], noKey);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no wallet: set ARTHAI_KEYSTORE");
    const keystore = join(dir, "requester.keystore.json");
    writeFileSync(keystore, await encryptKeystore(KEY, PASSWORD));
    const wrong = await arthai(["model", "publish", "1"], {
      ...noKey,
      ARTHAI_KEYSTORE: keystore,
      ARTHAI_KEYSTORE_PASSWORD: "not the password",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("wrong password");
    expect(wrong.stderr.toLowerCase()).not.toContain(KEY.slice(2).toLowerCase());

    const withKeystore = { ...noKey, ARTHAI_KEYSTORE: keystore, ARTHAI_KEYSTORE_PASSWORD: PASSWORD };
    const file = join(dir, "readme.txt");
    writeFileSync(file, "hello\n");
    const r = json(
      await arthai(["--json", "dataset", "register", file, "--license", "Unlicense"], withKeystore),
    );
    expect((await net.a.modelRegistry.read.getDataset([Number(r.datasetId)])).owner).toBe(REQUESTER);
  });
});

describe("datasets and models", () => {
  let datasetId: string;
  let modelId: string;

  it("registers a local directory as a dataset, hashed here, and lists and reads it back", async () => {
    const data = join(dir, "inputs/more");
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, "train.csv"), "a,b,label\n1,2,0\n3,4,1\n");
    const r = json(
      await arthai(["--json", "dataset", "register", data, "--license", "CC0-1.0", "--personal"], chain()),
    );
    datasetId = r.datasetId;
    expect(r.uri).toBe(`file://${data}/`);
    expect(r.size).toBe("22");
    const onChain = await net.a.modelRegistry.read.getDataset([Number(datasetId)]);
    expect(onChain.contentHash).toBe(r.contentHash);
    expect(onChain.policyFlags).toBe(1);
    expect(onChain.owner).toBe(REQUESTER);

    const list = ok(await arthai(["dataset", "list", "--owner", REQUESTER], chain())).stdout;
    expect(list).toMatch(new RegExp(`^${datasetId}\\s+22 B\\s+CC0-1.0`, "m"));
    const listed = json(await arthai(["--json", "dataset", "list", "--license", "cc0-1.0"], chain()));
    expect(listed.map((d: { id: string }) => d.id)).toEqual([datasetId]);

    const get = ok(await arthai(["dataset", "get", datasetId], chain())).stdout;
    expect(get).toMatch(new RegExp(`^uri: +file://${data}/$`, "m"));
    expect(get).toMatch(/^policy: +personal$/m);
  });

  it("says which dataset or model does not exist", async () => {
    const d = await arthai(["dataset", "get", "99"], chain());
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("arthai dataset get: dataset 99 does not exist");
    const m = await arthai(
      ["model", "register", join(dir, "inputs/mlp"), "--name", "x", "--license", "MIT", "--parent", "42"],
      chain(),
    );
    expect(m.code).toBe(1);
    expect(m.stderr).toContain("model 42 does not exist");
    const bad = await arthai(["dataset", "get", "abc"], chain());
    expect(bad.stderr).toContain('dataset id "abc": expected a whole number from 1');
  });

  it("registers a model derived from the base model, and draws its lineage", async () => {
    const r = json(
      await arthai(
        [
          "--json",
          "model",
          "register",
          join(dir, "inputs/mlp"),
          "--name",
          "iris-mlp-v2",
          "--license",
          "MIT",
        ].concat(["--parent", String(net.modelId), "--data", datasetId]),
        chain(),
      ),
    );
    modelId = r.modelId;
    expect(r.contentHash).toBe(net.modelRoot);
    const m = await net.a.modelRegistry.read.getModel([Number(modelId)]);
    expect(m.parentId).toBe(net.modelId);
    expect(m.datasetIds).toEqual([Number(datasetId)]);

    const list = json(await arthai(["--json", "model", "list", "--parent", String(net.modelId)], chain()));
    expect(list.map((x: { name: string }) => x.name)).toEqual(["iris-mlp-v2"]);

    const tree = ok(await arthai(["model", "lineage", modelId], chain())).stdout;
    expect(tree).toBe(
      [
        `model ${net.modelId} "iris-mlp"`,
        `├─ trained on dataset ${net.datasetId}: file://${dir}/inputs/iris/`,
        `└─ model ${modelId} "iris-mlp-v2"  ◀`,
        `   └─ trained on dataset ${datasetId}: file://${dir}/inputs/more/`,
        "",
      ].join("\n"),
    );
    const graph = json(await arthai(["--json", "model", "lineage", modelId], chain()));
    expect(graph.edges).toContainEqual({
      from: `model:${modelId}`,
      to: `model:${net.modelId}`,
      kind: "parent",
    });
  });

  it("adds a checkpoint and publishes the model; a second publish is refused with the contract's error", async () => {
    const ckpt = join(dir, "ckpt.bin");
    writeFileSync(ckpt, "weights");
    const c = json(await arthai(["--json", "model", "checkpoint", modelId, ckpt, "--step", "100"], chain()));
    expect(c.uri).toBe(`file://${ckpt}`);
    const get = ok(await arthai(["model", "get", modelId], chain())).stdout;
    expect(get).toContain(`checkpoint ${c.checkpointId} at step 100: file://${ckpt}`);

    ok(await arthai(["model", "publish", modelId], chain()));
    const again = await arthai(["model", "publish", modelId], chain());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`publishModel refused by the contract: AlreadyPublished(${modelId})`);
    const published = json(await arthai(["--json", "model", "list", "--published"], chain()));
    expect(published.map((x: { id: string }) => x.id)).toEqual([modelId]);
  });
});

describe("jobs", () => {
  // The original design's command, on the model and dataset whose files agentNetwork wrote.
  const trainArgs = () => [
    "train",
    "--model",
    `${net.modelId}`,
    "--data",
    `${net.datasetId}`,
    "--epochs",
    "1",
  ];
  const train = () => [...trainArgs(), "--budget", "100"];

  it("checks the budget's form before touching the chain", async () => {
    const r = await arthai([...trainArgs(), "--budget", "lots"], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--budget "lots": expected an amount in tokens');
    const fine = await arthai([...trainArgs(), "--budget", "0.0000001"], chain());
    expect(fine.stderr).toContain("the token has 6 decimals");
  });

  it("refuses a budget above the balance, with both numbers", async () => {
    const r = await arthai(train(), chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${REQUESTER} holds 0 aUSD but the job's escrow (maxPrice) needs 100 aUSD`);
  });

  it("refuses an invalid spec naming the file and the field", async () => {
    const bad = join(dir, "bad-spec.json");
    writeFileSync(bad, JSON.stringify({ ...trainSpec, resources: { memoryMb: 1 } }));
    const r = await arthai([...train(), "--spec", bad], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `invalid spec: ${bad}: spec.resources.memoryMb: expected an integer >= 64, got 1`,
    );

    const unknownColumns = await arthai([...train(), "--data-file", "other.csv"], chain());
    expect(unknownColumns.code).toBe(1);
    expect(unknownColumns.stderr).toContain("spec.runtime.data.features: missing; give it with --features");
  });

  it("submits the original design's train command, reports it open, and cancels it", async () => {
    await net.a.mined(net.a.token.write.mint([REQUESTER, 1_000n * TOKEN]));
    const r = json(await arthai(["--json", ...train()], chain()));
    expect(r.state).toBe("open");
    expect(r.maxPrice).toBe((100n * TOKEN).toString());
    const jobId = r.jobId as string;
    // The spec the template made from the registered inputs' files, with the flag on top.
    const spec = JSON.parse(Buffer.from(r.specUri.split(",")[1], "base64").toString("utf8"));
    expect(spec.kind).toBe("train");
    expect(spec.runtime.data).toEqual({ file: "train.csv", features: ["x1", "x2"], label: "label" });
    expect(spec.runtime.model.classes).toBe(3);
    expect(spec.hyperparameters.epochs).toBe(1);

    const status = ok(await arthai(["job-status", jobId], chain())).stdout;
    expect(status).toMatch(new RegExp(`^job ${jobId}: +open \\(train\\)`));
    expect(status).toMatch(/^budget: +100 aUSD$/m);
    expect(json(await arthai(["--json", "job", "status", jobId], chain())).state).toBe("open");

    const logs = await arthai(["job-logs", jobId], chain());
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain("has not been claimed yet");

    const cancel = ok(await arthai(["job", "cancel", jobId], chain())).stdout;
    expect(cancel).toContain(`cancelled job ${jobId}: 100 aUSD refunded`);
    expect(json(await arthai(["--json", "job", "status", jobId], chain())).state).toBe("cancelled");

    // Watching a job that ended replays its history and stops; exit 1 since it was not finalized.
    const watch = await arthai(["job", "watch", jobId], chain());
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain(`job ${jobId}: auction open: bids until`);
    expect(watch.stderr).toContain(`job ${jobId}: cancelled: refund 100 aUSD`);
    expect(watch.stdout).toMatch(new RegExp(`^job ${jobId}: +cancelled`));

    const again = await arthai(["job", "cancel", jobId], chain());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("JobNotCancellable");

    // The refund waits on the job manager until withdrawn.
    const before = json(await arthai(["--json", "balance"], chain()));
    expect(BigInt(before.withdrawable)).toBeGreaterThanOrEqual(100n * TOKEN);
    const paid = ok(await arthai(["withdraw"], chain())).stdout;
    expect(paid).toContain(`to ${REQUESTER}`);
    const after = json(await arthai(["--json", "balance", REQUESTER], chain()));
    expect(after.withdrawable).toBe("0");
    expect(BigInt(after.wallet)).toBe(BigInt(before.wallet) + BigInt(before.withdrawable));
    expect(ok(await arthai(["withdraw"], chain())).stdout).toContain("nothing to withdraw");
  });

  it("submits infer and agent jobs: the spec from the inputs or from --spec, the kind on-chain", async () => {
    await net.a.mined(net.a.token.write.mint([REQUESTER, 100n * TOKEN]));
    const inputs = ["--model", `${net.modelId}`, "--data", `${net.datasetId}`];
    const dry = json(await arthai(["--json", "infer", ...inputs, "--budget", "5", "--dry-run"], chain()));
    expect(dry.spec.kind).toBe("infer");
    expect(dry.spec.runtime.data).toEqual({ file: "train.csv", features: ["x1", "x2"], label: "label" });
    expect(dry.maxPrice).toBe(`${5n * TOKEN}`);

    const infer = json(await arthai(["--json", "infer", ...inputs, "--budget", "5"], chain()));
    const inferStatus = json(await arthai(["--json", "job", "status", infer.jobId], chain()));
    expect([inferStatus.kind, inferStatus.state]).toEqual(["infer", "open"]);
    expect(inferStatus.record.modelId).toBe(Number(net.modelId));

    const noSpec = await arthai(["agent", "--budget", "5"], chain());
    expect(noSpec.code).toBe(1);
    expect(noSpec.stderr).toContain("required option '--spec <file>' not specified");
    const specFile = join(dir, "agent.json");
    writeFileSync(specFile, JSON.stringify({ kind: "train", seed: 1, runtime: {} }));
    const wrongKind = await arthai(["agent", "--spec", specFile, "--budget", "5"], chain());
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain('spec.kind is "train"; this command submits "agent" jobs');
    const task = { program: "csv_analyst.py", task: { question: "mean price" }, maxSteps: 4 };
    writeFileSync(specFile, JSON.stringify({ version: 1, seed: 7, runtime: { agent: task } }));
    const agent = json(await arthai(["--json", "agent", "--spec", specFile, "--budget", "5"], chain()));
    const agentStatus = json(await arthai(["--json", "job", "status", agent.jobId], chain()));
    expect([agentStatus.kind, agentStatus.state]).toEqual(["agent", "open"]);
    expect(agentStatus.record.modelId).toBe(0);
    const stored = JSON.parse(Buffer.from(agent.specUri.split(",")[1], "base64").toString("utf8"));
    expect(stored).toMatchObject({ kind: "agent", seed: 7, runtime: { agent: task } });

    for (const id of [infer.jobId, agent.jobId]) ok(await arthai(["job", "cancel", id], chain()));
  });

  it("names the flag behind a request the job manager would refuse", async () => {
    const r = await arthai([...train(), "--bid-window", "1"], chain()); // the devnet's minimum is 2
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--bid-window: expected whole seconds in \[\d+, \d+\]/);
  });

  it("lists no nodes on a network without operators, and says an address is not one", async () => {
    expect(ok(await arthai(["node", "list"], chain())).stdout.trim()).toBe("(none)");
    const r = await arthai(["node", "get", REQUESTER], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${REQUESTER} is not a registered node`);
  });
});

describe("a job run by a node", () => {
  let agent: ChildProcess | undefined;
  afterAll(() => {
    agent?.kill();
  });

  it("train --wait follows the job to its result; logs, artifacts and lineage show it", async () => {
    // One operator, set up with its own CLI as an operator would (scripts/devnet.ts does the same).
    const agentCli = join(import.meta.dirname, "../../../node-agent/src/cli/artha-node.ts");
    const configFile = join(dir, "agent-0.json");
    const env = { ...process.env, ARTHA_PRIVATE_KEY: net.operatorKey(0), ARTHA_KEYSTORE_PASSWORD: PASSWORD };
    const operator = privateKeyToAccount(net.operatorKey(0)).address;
    await net.a.mined(net.a.token.write.mint([operator, 1_000n * TOKEN]));
    const node = (...args: string[]) =>
      promisify(execFile)(process.execPath, [agentCli, "-c", configFile, ...args], { env });
    await node(
      ...["init", "--import-key", "--deployment", net.deploymentFile, "--rpc", net.chain.rpcUrl],
      ...["--data-dir", join(dir, "agent-0"), "--p2p-port", "4195", "--api-port", "7195"],
    );
    const config = { ...net.agentConfig(0), ...JSON.parse(readFileSync(configFile, "utf8")) };
    writeFileSync(configFile, JSON.stringify(config));
    await node("register", "--stake", "500");
    agent = spawn(process.execPath, [agentCli, "-c", configFile, "start"], { env, stdio: "ignore" });
    while (
      !(await fetch("http://127.0.0.1:7195/health").then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      await new Promise((r) => setTimeout(r, 250));
    }

    const args = [
      "--model",
      `${net.modelId}`,
      "--data",
      `${net.datasetId}`,
      "--epochs",
      "1",
      "--budget",
      "100",
    ];
    const r = ok(
      await arthai(["train", ...args, "--bid-window", "5", "--max-runtime", "600", "--wait"], chain()),
    );
    const jobId = /^job (\d+): +finalized \(train\)$/m.exec(r.stdout)?.[1];
    expect(jobId).toBeDefined();
    for (const step of [
      "auction open",
      // The agent's bid, seen live over gossip (joined through the address it registered).
      `bid from ${operator} at `,
      `claimed by ${operator}`,
      `running on ${operator}`,
      "result: output root",
    ]) {
      expect(r.stderr).toContain(`job ${jobId}: ${step}`);
    }
    expect(r.stderr).toMatch(/finalized: node paid [\d.]+ aUSD, refund [\d.]+ aUSD/);

    const logs = ok(await arthai(["job-logs", jobId!], chain()));
    expect(logs.stdout).toContain("artha: train: done");

    const out = join(dir, "artifacts");
    const saved = json(await arthai(["--json", "job", "artifacts", jobId!, "--out", out], chain()));
    expect(readdirSync(out).sort()).toEqual(["model.json", "model.safetensors", "result.json"]);
    const status = json(await arthai(["--json", "job", "status", jobId!], chain()));
    expect(status.state).toBe("finalized");
    expect(saved.outputRoot).toBe(status.record.outputRoot);

    const tree = ok(await arthai(["model", "lineage", `${net.modelId}`], chain())).stdout;
    expect(tree).toContain(`checkpoint from job ${jobId}: `);
    expect(tree).toContain(`ran on node ${operator}`);

    // The market's recent outcome is this job's winning price.
    const price = json(await arthai(["--json", "price", "--kind", "train"], chain()));
    expect(price.count).toBe(1);
    expect(price.median).toBe(status.record.price);
    expect(ok(await arthai(["price", "--kind", "infer"], chain())).stdout).toMatch(
      /^no comparable job was claimed in blocks \d+-\d+: no estimate$/m,
    );
    const badKind = await arthai(["price", "--kind", "fine-tune"], chain());
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toContain('--kind "fine-tune": expected one of train, infer, agent');

    const over = await arthai(["job", "bids", jobId!], chain());
    expect(over.code).toBe(1);
    expect(over.stderr).toContain(`job ${jobId} is finalized: its auction is over`);
  }, 300_000);

  it("job bids shows a live auction's valid bids, and ends by itself when the job is cancelled", async () => {
    // A second operator, registered on-chain, bidding from a gossip node of the test's own.
    const bidder = privateKeyToAccount(net.operatorKey(1));
    await net.a.registerNode(net.a.operators[1]!, { gpuCount: 0 });
    const deployment = { chainId: net.deployment.chainId, jobManager: net.deployment.contracts.jobManager };
    const topic = bidTopic(deployment);
    const gossip = await startGossip({});
    try {
      gossip.pubsub.subscribe(topic);
      const submitted = json(
        await arthai(
          ["--json", "train", "--model", `${net.modelId}`, "--data", `${net.datasetId}`, "--budget", "50"],
          chain(),
        ),
      );
      const id = BigInt(submitted.jobId);
      const before = gossip.pubsub.getSubscribers(topic).length;
      const watcher = spawn(
        process.execPath,
        [BIN, "--json", "job", "bids", `${id}`, "--peer", gossip.multiaddrs()[0]!],
        { env: { ...process.env, HOME: dir, ...chain() }, cwd: dir },
      );
      let stdout = "";
      let stderr = "";
      watcher.stdout.on("data", (d) => (stdout += d));
      watcher.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number>((resolve) => watcher.on("exit", (code) => resolve(code ?? -1)));
      const until = async (what: string, check: () => boolean) => {
        for (let i = 0; !check(); i++) {
          if (i > 600) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until("job bids to subscribe", () => gossip.pubsub.getSubscribers(topic).length > before);
      const now = (await net.a.publicClient.getBlock()).timestamp;
      const bid = await signBid({
        ...deployment,
        signer: bidder,
        bid: { jobId: id, node: bidder.address, price: 7n * TOKEN, etaSeconds: 20, expiresAt: now + 600n },
      });
      await gossip.pubsub.publish(topic, encodeBid(bid));
      await until("the bid to be shown", () => stderr.includes(`bid from ${bidder.address} at 7 aUSD`));

      ok(await arthai(["job", "cancel", `${id}`], chain()));
      expect(await exited).toBe(0);
      const lines = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const shown = lines.filter((l) => l.name === "Bid");
      expect(shown.find((l) => l.args.node === bidder.address)).toMatchObject({
        args: { jobId: `${id}`, price: `${7n * TOKEN}`, signature: bid.signature },
      });
      const summary = lines.at(-1);
      expect(summary).toMatchObject({ jobId: `${id}`, ended: "auction over" });
      expect(BigInt(summary.lowest.price)).toBeLessThanOrEqual(7n * TOKEN);
    } finally {
      await gossip.stop();
    }
  }, 120_000);
});

describe("a challenged result", () => {
  let worker: AgentNetwork["a"]["operators"][number];
  beforeAll(async () => {
    worker = net.a.operators[2]!;
    await net.a.registerNode(worker);
  });

  /** A job of the requester's with a result just submitted by `worker`, inside its challenge window. */
  async function resultJob() {
    const a = net.a;
    // A GPU job: the CPU-only agent of the block above could not claim it even if it were still running.
    const { jobId } = await a.submitJob(a.jobRequest({ maxPrice: 20n * TOKEN, bidWindow: 2 }));
    await a.timeTo((await a.record(jobId)).bidEnd);
    await a.claim(worker, jobId, 10n * TOKEN);
    await a.timeTo(await a.claimEnd(jobId));
    await a.submitResult(worker, jobId, sha(`root ${jobId}`));
    return jobId;
  }

  it("job challenge disputes a submitted result for the bond; a second challenge is refused, naming the state", async () => {
    const a = net.a;
    const bond = await a.proofOfCompute.read.challengeBond();
    await a.mined(a.token.write.mint([REQUESTER, bond]));
    const balances = () =>
      Promise.all([a.token.read.balanceOf([REQUESTER]), a.token.read.balanceOf([a.proofOfCompute.address])]);
    const [wallet, held] = await balances();
    // The devnet's challenge window is 10 s of chain time: nothing but the challenge after the result.
    const jobId = await resultJob();
    const r = json(await arthai(["--json", "job", "challenge", `${jobId}`], chain()));
    expect(r).toMatchObject({ jobId: `${jobId}`, state: "disputed", challenger: REQUESTER, bond: `${bond}` });

    // On the chain: the bond moved from the wallet to the proof contract, the job is disputed by the requester.
    expect(await balances()).toEqual([wallet - bond, held + bond]);
    expect((await a.record(jobId)).state).toBe(JobState.Disputed);
    expect((await a.proofOfCompute.read.challengeOf([jobId])).challenger).toBe(REQUESTER);
    expect(await a.token.read.allowance([REQUESTER, a.proofOfCompute.address])).toBe(0n);
    const receipt = await a.publicClient.getTransactionReceipt({ hash: r.hash });
    expect(receipt.status).toBe("success");

    const again = await arthai(["job", "challenge", `${jobId}`], chain());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `arthai job challenge: challengeResult refused by the contract: WrongState(${jobId}, ${JobState.Disputed}, ${JobState.ResultSubmitted})`,
    );
    expect(again.stderr).toContain(`job ${jobId} is disputed: only a submitted result can be challenged`);
    expect(await balances()).toEqual([wallet - bond, held + bond]);
  }, 120_000);

  it("refuses a result whose challenge window is over, saying the result stands", async () => {
    const a = net.a;
    const jobId = await resultJob();
    await a.time.increase(a.params.challengeWindow);
    const r = await arthai(["job", "challenge", `${jobId}`], chain());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `challengeResult refused by the contract: ChallengeWindowClosed\\(${jobId}, \\d+, \\d+\\) \\(the challenge window is over: the result stands\\)`,
      ),
    );
    expect((await a.record(jobId)).state).toBe(JobState.ResultSubmitted);
  }, 120_000);
});
