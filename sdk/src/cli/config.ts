// Where arthai's settings come from, in one place. Each setting is taken from the first of: a flag, an
// environment variable, the config file, a default; `arthai config` shows which one won. The config file is
// --config / ARTHAI_CONFIG when given (it must exist), else ./arthai.json, else
// $XDG_CONFIG_HOME/arthai/config.json (~/.config/arthai/config.json). Paths in a config file are relative to
// the file. Secrets never come from the file: the keystore password and a raw key are environment only.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** What a config file may hold. Unknown keys are refused: a typo must not be silently ignored. */
const configFileSchema = z.strictObject(
  {
    rpcUrl: z.url({ error: "expected an http(s) URL" }).optional(),
    deployment: z.string({ error: "expected the path of a deployments/<chainId>.json file" }).optional(),
    indexerUrl: z.url({ error: "expected an http(s) URL" }).optional(),
    keystore: z.string({ error: "expected the path of a keystore v3 file" }).optional(),
    image: z.string({ error: "expected an image digest, 0x or sha256: and 64 hex digits" }).optional(),
    specDir: z.string({ error: "expected a directory path" }).optional(),
    bootstrap: z
      .array(z.string(), { error: "expected a list of multiaddrs, each ending in /p2p/<peer id>" })
      .optional(),
  },
  { error: "expected a JSON object" },
);
export type ConfigFile = z.infer<typeof configFileSchema>;

/** The command line's global flags that override the config. */
export type GlobalFlags = {
  config?: string;
  rpc?: string;
  deployment?: string;
  indexer?: string;
  json?: boolean;
};

export type Setting<T = string> = { value: T; source: string };

export type ResolvedConfig = {
  /** The config file in use, if any. */
  file?: string;
  rpcUrl: Setting;
  deployment?: Setting;
  indexerUrl?: Setting;
  /** The signing key: a keystore file (its password in ARTHAI_KEYSTORE_PASSWORD) or ARTHAI_PRIVATE_KEY. */
  wallet?: { keystore?: string; source: string };
  image?: Setting;
  /** Where specs are written: a directory (file:// URIs) or inline (data: URIs, the default). */
  specDir?: Setting;
  /** Gossip peers to join the market through (live bids), besides the nodes registered on-chain. */
  bootstrap?: Setting<string[]>;
};

function configFilePath(flags: GlobalFlags, env: NodeJS.ProcessEnv): string | undefined {
  const named = flags.config ?? env.ARTHAI_CONFIG;
  if (named !== undefined) {
    const path = resolve(named);
    const how = flags.config !== undefined ? "--config" : "ARTHAI_CONFIG";
    if (!existsSync(path)) throw new Error(`config file ${path} (${how}) not found`);
    return path;
  }
  const local = resolve("arthai.json");
  if (existsSync(local)) return local;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  const user = join(base, "arthai", "config.json");
  return existsSync(user) ? user : undefined;
}

function readConfigFile(path: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(
      `config file ${path}: ${e.code ? `cannot read (${e.code})` : `not valid JSON (${e.message})`}`,
    );
  }
  const parsed = configFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    throw new Error(
      `config file ${path}: unknown setting ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; known: ${Object.keys(configFileSchema.shape).join(", ")}`,
    );
  }
  const field = issue.path.length ? issue.path.join(".") : "(top level)";
  throw new Error(`config file ${path}: ${field}: ${issue.message}`);
}

/** Resolves every setting once, in the documented order. */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const file = configFilePath(flags, env);
  const fromFile = file ? readConfigFile(file) : {};
  const fileSource = `config file ${file}`;
  const pick = (
    flag: string | undefined,
    flagName: string | undefined,
    envName: string,
    key: Exclude<keyof ConfigFile, "bootstrap">,
    isPath = false,
  ): Setting | undefined => {
    if (flag !== undefined) return { value: isPath ? resolve(flag) : flag, source: flagName! };
    const e = env[envName];
    if (e !== undefined && e !== "") return { value: isPath ? resolve(e) : e, source: envName };
    const v = fromFile[key];
    if (v !== undefined) return { value: isPath ? resolve(dirname(file!), v) : v, source: fileSource };
    return undefined;
  };
  const rpcUrl = pick(flags.rpc, "--rpc", "ARTHAI_RPC_URL", "rpcUrl") ?? {
    value: DEFAULT_RPC_URL,
    source: "default",
  };
  const out: ResolvedConfig = { rpcUrl, ...(file ? { file } : {}) };
  const optional = {
    deployment: pick(flags.deployment, "--deployment", "ARTHAI_DEPLOYMENT", "deployment", true),
    indexerUrl: pick(flags.indexer, "--indexer", "ARTHAI_INDEXER_URL", "indexerUrl"),
    image: pick(undefined, undefined, "ARTHAI_IMAGE", "image"),
    specDir: pick(undefined, undefined, "ARTHAI_SPEC_DIR", "specDir", true),
  };
  for (const [k, v] of Object.entries(optional)) if (v) (out as Record<string, unknown>)[k] = v;
  const peers = env.ARTHAI_BOOTSTRAP;
  if (peers !== undefined && peers.trim() !== "") {
    out.bootstrap = {
      value: peers
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
      source: "ARTHAI_BOOTSTRAP",
    };
  } else if (fromFile.bootstrap !== undefined) {
    out.bootstrap = { value: fromFile.bootstrap, source: fileSource };
  }
  // The environment's key, keystore or raw, wins over the file's keystore.
  const keystore = pick(undefined, undefined, "ARTHAI_KEYSTORE", "keystore", true);
  if (keystore?.source === "ARTHAI_KEYSTORE" || (keystore && env.ARTHAI_PRIVATE_KEY === undefined)) {
    out.wallet = { keystore: keystore.value, source: keystore.source };
  } else if (env.ARTHAI_PRIVATE_KEY !== undefined) {
    out.wallet = { source: "ARTHAI_PRIVATE_KEY" };
  }
  return out;
}

/** The deployment file, or an error saying the three ways to name one. */
export function requireDeployment(config: ResolvedConfig): Setting {
  if (config.deployment) return config.deployment;
  const where = config.file ? `"deployment" in ${config.file}` : `"deployment" in ./arthai.json`;
  throw new Error(
    `no deployment: pass --deployment <deployments/<chainId>.json>, set ARTHAI_DEPLOYMENT, or write ${where}`,
  );
}
