// The environment a job gets from its spec (docs/runtime-contract.md, "Environment"), for job programs
// that would rather not parse spec.json; the spec stays the authority.

/**
 * ARTHA_JOB_ID, ARTHA_SEED and one ARTHA_HP_<NAME> per spec hyper-parameter (camelCase to UPPER_SNAKE;
 * numbers and booleans as JSON, strings as they are).
 */
export function jobEnvironment(
  jobId: string | bigint,
  spec: { seed?: unknown; hyperparameters?: unknown },
): Record<string, string> {
  const env: Record<string, string> = { ARTHA_JOB_ID: jobId.toString() };
  if (typeof spec.seed === "number") env.ARTHA_SEED = String(spec.seed);
  if (spec.hyperparameters && typeof spec.hyperparameters === "object") {
    for (const [name, value] of Object.entries(spec.hyperparameters)) {
      const key = `ARTHA_HP_${name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
      env[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return env;
}
