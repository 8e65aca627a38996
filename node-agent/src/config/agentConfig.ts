// The operator's configuration: a JSON file (written by `artha-node init`) plus environment variables,
// which win. Every key has a default except the chain endpoint and the deployment.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits");
/** Token amounts in token units as decimal strings ("2.5"), converted with the token's decimals. */
const amount = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal amount in token units, like "2.5"');

export const agentConfigSchema = z.object({
  /** Where the agent keeps its database, job inputs/outputs/logs and p2p key. */
  dataDir: z.string().default(resolve(homedir(), ".artha-node")),
  rpcUrl: z.string().url().default("http://127.0.0.1:8545"),
  /** A deployments/<chainId>.json file (scripts/deploy.ts writes it). */
  deployment: z.string(),
  /** Keystore v3 file of the operator key; its password comes from ARTHA_KEYSTORE_PASSWORD. */
  keystore: z.string().optional(),
  /** Blocks an event must be buried under before the agent acts on it. */
  confirmations: z.number().int().min(0).max(64).default(2),
  pollIntervalMs: z.number().int().min(50).default(500),
  log: z.object({ level: z.string().default("info"), file: z.string().optional() }).prefault({}),
  p2p: z
    .object({
      listen: z.array(z.string()).default(["/ip4/127.0.0.1/tcp/0"]),
      /** Extra bootstrap peers; the multiaddrs registered on-chain are added to these. */
      bootstrap: z.array(z.string()).default([]),
      mdns: z.boolean().default(false),
    })
    .prefault({}),
  api: z
    .object({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(0),
      /** The URL others reach this API at (registered on-chain, used in output URIs). */
      publicUrl: z.string().url().optional(),
    })
    .prefault({}),
  pricing: z
    .discriminatedUnion("strategy", [
      z.object({
        strategy: z.literal("table"),
        perGpuHour: z.record(z.string(), amount).default({}),
        cpuHour: amount.default("1"),
        floor: amount.default("0.01"),
      }),
      z.object({
        strategy: z.literal("script"),
        command: z.string(),
        args: z.array(z.string()).default([]),
        timeoutMs: z.number().int().min(1).default(2000),
      }),
    ])
    .default({ strategy: "table", perGpuHour: {}, cpuHour: "1", floor: "0.01" }),
  policy: z
    .object({
      /** Image digests the operator runs; `allowAny` accepts every image (devnets). */
      images: z
        .object({ digests: z.array(hex32).default([]), allowAny: z.boolean().default(false) })
        .prefault({}),
      /** Accepted licenses (SPDX ids) of models and datasets; absent = any. */
      licenses: z.array(z.string()).optional(),
      maxRuntimeS: z
        .number()
        .int()
        .min(1)
        .default(6 * 3600),
      maxInputBytes: z
        .number()
        .int()
        .min(1)
        .default(50 * 1024 ** 3),
      allowNetwork: z.boolean().default(false),
      /** Directories file:// inputs may be read from (devnets); none by default, so a requester cannot point
       * a job at the operator's own files. */
      fileRoots: z.array(z.string()).default([]),
      maxConcurrentJobs: z.number().int().min(1).default(2),
    })
    .prefault({}),
  market: z
    .object({
      /** Seconds after the bid window closes before the runner-up at rank r claims: r × claimStepS. */
      claimStepS: z.number().min(0).default(2),
    })
    .prefault({}),
  settle: z
    .object({
      autoFinalize: z.boolean().default(true),
      autoWithdraw: z.boolean().default(true),
      /** Where withdrawn earnings go; default the operator address. */
      payoutAddress: z
        .string()
        .regex(/^0x[0-9a-fA-F]{40}$/)
        .optional(),
    })
    .prefault({}),
  /** The verifier role (docs/verification.md): re-run disputed jobs this node is drawn for, commit, reveal. */
  verify: z
    .object({
      enabled: z.boolean().default(true),
      /** Verifier re-runs at once; each holds capacity like a paid job while its container runs. */
      maxConcurrent: z.number().int().min(1).default(1),
      /**
       * Settle disputes in one transaction: the drawn verifiers exchange signed commitments and reveals over
       * gossip (docs/verification.md, "Signed votes"); the on-chain commit-reveal stays as the fallback.
       */
      signedVotes: z.boolean().default(true),
      /** How long to wait for the other verifiers' reveals after ours before going on-chain, seconds. */
      signedRevealWaitSeconds: z.number().int().min(1).default(60),
    })
    .prefault({}),
  docker: z.object({ socketPath: z.string().optional() }).prefault({}),
  /** Hardware as declared instead of detected (hosts where detection is wrong, and tests). */
  hardware: z
    .object({
      cpuCores: z.number().int().min(1),
      ramMb: z.number().int().min(1),
      gpus: z.array(
        z.object({ index: z.number().int(), uuid: z.string(), model: z.string(), vramMb: z.number() }),
      ),
    })
    .optional(),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Environment variables and the config key each overrides. */
export const configEnv = {
  ARTHA_RPC_URL: "rpcUrl",
  ARTHA_DEPLOYMENT: "deployment",
  ARTHA_NODE_DATA_DIR: "dataDir",
  ARTHA_NODE_KEYSTORE: "keystore",
  ARTHA_NODE_API_PORT: "api.port",
  ARTHA_NODE_LOG_LEVEL: "log.level",
  ARTHA_NODE_CONFIRMATIONS: "confirmations",
} as const;

/**
 * Parses a config object, naming the first wrong key. Relative paths are resolved against `baseDir`
 * (the config file's directory), so a config file can be moved with its keystore.
 */
export function parseAgentConfig(input: unknown, source: string, baseDir = process.cwd()): AgentConfig {
  const parsed = agentConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".") || "(top level)";
    throw new ConfigError(`${source}: ${path}: ${issue.message}`);
  }
  const c = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...c,
    dataDir: abs(c.dataDir),
    deployment: abs(c.deployment),
    ...(c.keystore ? { keystore: abs(c.keystore) } : {}),
    ...(c.log.file ? { log: { ...c.log, file: abs(c.log.file) } } : {}),
  };
}

/** Reads the config file (if any) and applies the environment over it. */
export function loadAgentConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`config ${file}: cannot read (${(error as NodeJS.ErrnoException).code})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`config ${file}: not valid JSON (${(error as Error).message})`);
    }
  }
  for (const [name, key] of Object.entries(configEnv)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const numeric = key === "api.port" || key === "confirmations";
    setPath(raw, key, numeric ? Number(value) : value);
  }
  return parseAgentConfig(
    raw,
    file ? `config ${file}` : "config",
    file ? dirname(resolve(file)) : process.cwd(),
  );
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let at = target;
  for (const k of keys.slice(0, -1)) {
    at[k] = typeof at[k] === "object" && at[k] !== null ? at[k] : {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}
