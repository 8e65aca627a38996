import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Deployment, parseDeployment } from "./deployment.ts";

/** Reads deployments/<chainId>.json (Node only). */
export async function readDeployment(dir: string, chainId: number): Promise<Deployment> {
  const path = join(dir, `${chainId}.json`);
  const d = await readDeploymentFile(path, {
    missing: `no deployment for chain ${chainId}: cannot read ${path}`,
    hint: "; deploy first with `npm run devnet` or scripts/deploy.ts",
  });
  if (d.chainId !== chainId) throw new Error(`${path}: chainId is ${d.chainId}, expected ${chainId}`);
  return d;
}

/** Reads a deployment file by path (an operator's config names one). */
export async function readDeploymentFile(
  path: string,
  messages: { missing?: string; hint?: string } = {},
): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `${messages.missing ?? `cannot read deployment ${path}`} (${code})${messages.hint ?? ""}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseDeployment(json, path);
}
