import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Deployment, parseDeployment } from "./deployment.ts";

/** Reads deployments/<chainId>.json (Node only). */
export async function readDeployment(dir: string, chainId: number): Promise<Deployment> {
  const path = join(dir, `${chainId}.json`);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(
      `no deployment for chain ${chainId}: cannot read ${path} (${(e as NodeJS.ErrnoException).code}); deploy first with \`npm run devnet\` or scripts/deploy.ts`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const d = parseDeployment(json, path);
  if (d.chainId !== chainId) throw new Error(`${path}: chainId is ${d.chainId}, expected ${chainId}`);
  return d;
}
