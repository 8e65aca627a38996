import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  canonicalSpecJson,
  defaultResources,
  JobSpecError,
  jobSpecKinds,
  parseJobSpec,
  requestsNetwork,
  specHash,
  validateJobSpec,
} from "./index.ts";

// The train example of the runtime contract, read from the document itself so the two cannot drift.
function contractTrainExample(): string {
  const doc = readFileSync(new URL("../../../docs/runtime-contract.md", import.meta.url), "utf8");
  const m = /Example \(train\):\s*```json\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error("docs/runtime-contract.md has no 'Example (train):' JSON block");
  return m[1]!;
}

const infer = {
  kind: "infer",
  seed: 0,
  runtime: { data: { file: "test.csv", features: ["x1", "x2"] }, model: { checkpoint: "model.safetensors" } },
  resources: { cpus: 0.5, memoryMb: 512 },
  verification: { mode: "exact" },
};

const agent = {
  version: 1,
  kind: "agent",
  seed: 4294967295,
  runtime: {
    agent: { program: "csv_analyst.py", task: { question: "mean price" }, allowHosts: ["127.0.0.1"] },
  },
  network: "egress",
  command: ["python3", "/opt/artha/agent/runner.py"],
  verification: { mode: "metric", metric: "steps", tolerance: 0 },
  maxInputBytes: 1_000_000,
  requester: { note: "unknown top-level fields are kept" },
};

function specError(fn: () => unknown): JobSpecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(JobSpecError);
    return error as JobSpecError;
  }
  throw new Error("expected a JobSpecError, nothing was thrown");
}

describe("parseJobSpec", () => {
  it("parses the runtime contract's train example and fills the defaults", () => {
    const spec = parseJobSpec(new TextEncoder().encode(contractTrainExample()));
    expect(spec.kind).toBe("train");
    expect(spec.seed).toBe(7);
    expect(spec.hyperparameters).toMatchObject({ epochs: 4, batchSize: 16 });
    expect(spec.runtime).toMatchObject({ data: { file: "train.csv" }, model: { type: "mlp", classes: 3 } });
    expect(spec.resources).toEqual(defaultResources);
    expect(spec.network).toBe("none");
    expect(spec.verification).toBeUndefined();
    expect(spec.command).toBeUndefined();
  });

  it("parses infer and agent specs, keeping unknown fields", () => {
    const i = parseJobSpec(JSON.stringify(infer));
    expect(i.version).toBe(1);
    expect(i.resources).toEqual({ cpus: 0.5, memoryMb: 512, shmMb: 64, pids: 256, gpus: 0 });
    expect(i.verification).toEqual({ mode: "exact" });

    const a = parseJobSpec(JSON.stringify(agent));
    expect(a.kind).toBe("agent");
    expect(a.network).toBe("egress");
    expect(a.command).toEqual(["python3", "/opt/artha/agent/runner.py"]);
    expect(a.verification).toEqual({ mode: "metric", metric: "steps", tolerance: 0 });
    expect(a.maxInputBytes).toBe(1_000_000);
    expect((a as Record<string, unknown>).requester).toEqual({ note: "unknown top-level fields are kept" });
    expect((a.runtime as { agent: { program: string } }).agent.program).toBe("csv_analyst.py");
  });

  it("orders kinds like the contracts' JobKind enum", () => {
    expect(jobSpecKinds).toEqual(["train", "infer", "agent"]);
  });

  it.each([
    [
      { ...infer, resources: { memoryMb: "big" } },
      "spec.resources.memoryMb",
      'spec.resources.memoryMb: expected an integer >= 64, got "big"',
    ],
    [
      { ...infer, resources: { memoryMb: 32 } },
      "spec.resources.memoryMb",
      "expected an integer >= 64, got 32",
    ],
    [{ ...infer, resources: { cpus: 0 } }, "spec.resources.cpus", "expected a number > 0 and <= 1024, got 0"],
    [
      { ...infer, resources: { gpus: 1.5 } },
      "spec.resources.gpus",
      "expected an integer in [0, 255], got 1.5",
    ],
    [{ ...infer, seed: 2 ** 32 }, "spec.seed", "expected an integer in [0, 4294967295], got 4294967296"],
    [{ ...infer, seed: -1 }, "spec.seed", "got -1"],
    [
      { kind: "infer", runtime: {} },
      "spec.seed",
      "spec.seed: missing; expected an integer in [0, 4294967295]",
    ],
    [{ ...infer, kind: "Train" }, "spec.kind", 'expected "train", "infer" or "agent", got "Train"'],
    [{ ...infer, version: 2 }, "spec.version", "expected 1 (the only spec version), got 2"],
    [{ ...infer, runtime: [1] }, "spec.runtime", "expected an object, got [1]"],
    [{ ...infer, command: ["python3", 7] }, "spec.command[1]", "spec.command[1]: expected a string, got 7"],
    [{ ...infer, command: [] }, "spec.command", "expected a non-empty array of strings, got []"],
    [{ ...infer, network: "host" }, "spec.network", 'expected "none" or "egress", got "host"'],
    [
      { ...infer, verification: { mode: "metric", metric: "loss" } },
      "spec.verification.tolerance",
      "missing; expected a finite number >= 0",
    ],
    [
      { ...infer, verification: { mode: "vote" } },
      "spec.verification.mode",
      'with mode "exact" or "metric", got "vote"',
    ],
    [{ ...infer, maxInputBytes: -5 }, "spec.maxInputBytes", "expected an integer >= 0, got -5"],
    [[1, 2], "spec", "spec: expected a JSON object, got [1,2]"],
  ])("names the path of a wrong field (%#)", (value, path, message) => {
    const error = specError(() => parseJobSpec(JSON.stringify(value)));
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it("says how many more problems there are", () => {
    const error = specError(() => parseJobSpec('{"kind":"x","seed":"y","runtime":{}}'));
    expect(error.message).toMatch(/^spec\.kind: .* \(and 1 more problem\)$/);
  });

  it("refuses bytes that are not UTF-8 JSON", () => {
    expect(specError(() => parseJobSpec(new Uint8Array([0x7b, 0xff, 0x7d]))).message).toBe(
      "spec: is not valid UTF-8; expected a UTF-8 JSON document",
    );
    expect(specError(() => parseJobSpec("{kind: train}")).message).toMatch(/^spec: is not valid JSON \(/);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(infer))]);
    expect(specError(() => parseJobSpec(bom)).message).toMatch(/byte order mark/);
  });
});

describe("requestsNetwork", () => {
  it("is true for egress and for agent jobs with allowHosts", () => {
    expect(requestsNetwork(parseJobSpec(JSON.stringify(infer)))).toBe(false);
    expect(requestsNetwork(parseJobSpec(JSON.stringify({ ...infer, network: "egress" })))).toBe(true);
    expect(requestsNetwork(parseJobSpec(JSON.stringify({ ...agent, network: "none" })))).toBe(true);
    const noHosts = {
      ...agent,
      network: "none",
      runtime: { agent: { program: "a.py", task: {}, allowHosts: [] } },
    };
    expect(requestsNetwork(parseJobSpec(JSON.stringify(noHosts)))).toBe(false);
  });
});

describe("canonicalSpecJson", () => {
  it("is independent of key order and has no whitespace", () => {
    const reordered = {
      verification: { mode: "exact" },
      resources: { memoryMb: 512, cpus: 0.5 },
      runtime: {
        model: { checkpoint: "model.safetensors" },
        data: { features: ["x1", "x2"], file: "test.csv" },
      },
      seed: 0,
      kind: "infer",
    } as const;
    const a = canonicalSpecJson(infer as Parameters<typeof canonicalSpecJson>[0]);
    expect(canonicalSpecJson(reordered)).toBe(a);
    expect(a).toBe(
      '{"kind":"infer","network":"none","resources":{"cpus":0.5,"gpus":0,"memoryMb":512,"pids":256,"shmMb":64},' +
        '"runtime":{"data":{"features":["x1","x2"],"file":"test.csv"},"model":{"checkpoint":"model.safetensors"}},' +
        '"seed":0,"verification":{"mode":"exact"},"version":1}',
    );
    // The canonical text is itself a valid spec that means the same thing.
    expect(canonicalSpecJson(parseJobSpec(a))).toBe(a);
  });

  it("sorts keys by UTF-16 code units (RFC 8785) and keeps array order", () => {
    const text = canonicalSpecJson({
      kind: "agent",
      seed: 1,
      runtime: { b: [3, 1, 2], a: { é: 1, z: 2, Z: 3 } },
    });
    expect(text).toContain('"runtime":{"a":{"Z":3,"z":2,"é":1},"b":[3,1,2]}');
  });

  it("refuses values JSON cannot carry", () => {
    const error = specError(() => canonicalSpecJson({ kind: "train", seed: 1, runtime: { lr: Number.NaN } }));
    expect(error.path).toBe("spec.runtime.lr");
    expect(
      specError(() => canonicalSpecJson({ kind: "train", seed: 1, runtime: { at: new Date(0) } })).message,
    ).toBe("spec.runtime.at: a Date has no JSON form; expected JSON values only");
    expect(() => canonicalSpecJson({ kind: "train", seed: 1.5, runtime: {} })).toThrow(/^spec\.seed: /);
  });
});

describe("specHash", () => {
  it("is sha256 of the exact bytes, known answer", () => {
    // printf '%s' '{}' | sha256sum
    expect(specHash("{}")).toBe("0x44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    expect(specHash(new TextEncoder().encode("{}"))).toBe(specHash("{}"));
  });

  it("is stable for the canonical text and changes with any byte", () => {
    const text = canonicalSpecJson(validateJobSpec(infer));
    expect(specHash(text)).toBe(
      specHash(canonicalSpecJson({ ...infer } as Parameters<typeof canonicalSpecJson>[0])),
    );
    expect(specHash(`${text} `)).not.toBe(specHash(text));
    // Same meaning, other bytes: a different hash, which is why producers use the canonical text.
    expect(specHash(JSON.stringify(infer, null, 2))).not.toBe(specHash(text));
  });
});
