// The GPU Dockerfile cannot be built here (no registry, no CUDA base image): this parses it and
// checks that it stays the same runtime as the CPU image that is built and tested here.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Docker from "dockerode";
import { beforeAll, describe, expect, it } from "vitest";
import { JOB_GID, JOB_UID } from "../../node-agent/src/cluster/index.ts";
import { buildRuntimeImages } from "./images.ts";

const RUNTIMES = fileURLToPath(new URL("..", import.meta.url));
const KEYWORDS = new Set(
  "FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL".split(
    " ",
  ),
);

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Dockerfile instructions: comments dropped, backslash continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    // Docker skips blank and comment lines, inside a continuation too.
    if (line === "" || line.startsWith("#")) return;
    if (pending === "") start = i + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line).trim();
    pending = "";
    const [keyword = "", ...rest] = full.split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(" "), line: start });
  });
  if (pending !== "") throw new Error("Dockerfile ends inside a line continuation");
  return out;
}

/** KEY=value pairs of an ENV instruction (no quoting is used in this Dockerfile). */
const envPairs = (args: string): [string, string][] =>
  args.split(/\s+/).map((kv) => {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new Error(`ENV ${kv}: expected KEY=value`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });

const text = readFileSync(join(RUNTIMES, "torch/Dockerfile"), "utf8");
const steps = parseDockerfile(text);
const all = (keyword: string) => steps.filter((s) => s.keyword === keyword);
let cpuImage: {
  Entrypoint: string[];
  Env: string[];
  User: string;
  WorkingDir: string;
  Labels: Record<string, string>;
};
let cpuFiles: string[];

beforeAll(async () => {
  const { torch } = await buildRuntimeImages();
  const info = await new Docker().getImage(torch).inspect();
  cpuImage = info.Config as unknown as typeof cpuImage;
  const { stdout } = await promisify(execFile)("docker", [
    "run",
    "--rm",
    "--network",
    "none",
    "--entrypoint",
    "find",
    torch,
    "/opt/artha",
    "-type",
    "f",
  ]);
  cpuFiles = stdout.trim().split("\n").sort();
});

describe("runtimes/torch/Dockerfile (GPU image)", () => {
  it("uses only known instructions, one stage on a CUDA PyTorch base", () => {
    for (const s of steps) expect(KEYWORDS.has(s.keyword), `line ${s.line}: ${s.keyword}`).toBe(true);
    expect(steps[0]?.keyword).toBe("FROM");
    expect(all("FROM")).toHaveLength(1);
    expect(steps[0]?.args).toMatch(/^pytorch\/pytorch:[\d.]+-cuda[\d.]+-cudnn\d+-runtime$/);
  });

  it("creates the job user with the fixed ids and runs as it", () => {
    const run = all("RUN")
      .map((s) => s.args)
      .join(" ");
    expect(run).toContain(`groupadd --gid ${JOB_GID} artha`);
    expect(run).toContain(`useradd --uid ${JOB_UID} --gid ${JOB_GID}`);
    expect(run).toContain(`chown ${JOB_UID}:${JOB_GID} /artha/out`);
    expect(all("USER").at(-1)?.args).toBe(`${JOB_UID}:${JOB_GID}`);
    expect(cpuImage.User).toBe(`${JOB_UID}:${JOB_GID}`);
    // Nothing runs as root after the switch.
    const userAt = steps.findIndex((s) => s.keyword === "USER");
    expect(steps.slice(userAt).some((s) => s.keyword === "RUN")).toBe(false);
  });

  it("has the CPU image's entry point, working directory, environment and version", () => {
    expect(JSON.parse(all("ENTRYPOINT").at(-1)!.args)).toEqual(cpuImage.Entrypoint);
    expect(all("WORKDIR").at(-1)?.args).toBe(cpuImage.WorkingDir);
    const env = Object.fromEntries(all("ENV").flatMap((s) => envPairs(s.args)));
    const cpuEnv = Object.fromEntries(
      cpuImage.Env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    delete cpuEnv.PATH; // the CUDA base has its own PATH (conda's python)
    expect(env).toEqual(cpuEnv);
    expect(
      all("LABEL")
        .map((s) => s.args)
        .join(" "),
    ).toContain(`org.arthaain.runtime.version=${cpuImage.Labels["org.arthaain.runtime.version"]}`);
  });

  it("copies exactly the scripts of the CPU image, each of which exists", () => {
    const copied: string[] = [];
    for (const s of all("COPY")) {
      const parts = s.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      const dest = parts.pop()!;
      expect(dest.endsWith("/"), `line ${s.line}: destination ${dest} should be a directory`).toBe(true);
      for (const src of parts) {
        expect(existsSync(join(RUNTIMES, src)), `line ${s.line}: ${src} is not in runtimes/`).toBe(true);
        copied.push(posix.join(dest, posix.basename(src)));
      }
    }
    expect(copied.sort()).toEqual(cpuFiles);
    const scripts = ["common", "torch"].flatMap((d) =>
      readdirSync(join(RUNTIMES, d))
        .filter((f) => f.endsWith(".py"))
        .map((f) => `/opt/artha/${d}/${f}`),
    );
    expect(copied.sort()).toEqual(scripts.sort());
  });

  it("parses continuations and comments as Docker does", () => {
    expect(parseDockerfile("# c\nFROM a\nRUN x \\\n  # inner comment\n  && y\n")).toEqual([
      { keyword: "FROM", args: "a", line: 2 },
      { keyword: "RUN", args: "x && y", line: 3 },
    ]);
    expect(() => parseDockerfile("RUN x \\\n")).toThrow(/continuation/);
  });
});
