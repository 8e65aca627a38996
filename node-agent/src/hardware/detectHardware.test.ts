// GPU detection against recorded tool output (no GPU on this machine): nvidia-smi's XML for three hosts,
// systeminformation's answers for the same hosts, the fallbacks, and this machine for real.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Systeminformation } from "systeminformation";
import { afterAll, describe, expect, it } from "vitest";
import { detectHardware, type SystemInformationSource } from "./detectHardware.ts";
import { HardwareError } from "./hardwareError.ts";
import { parseNvidiaSmiXml } from "./parseNvidiaSmiXml.ts";
import { runNvidiaSmi } from "./runNvidiaSmi.ts";
import { summarizeHardware } from "./summarizeHardware.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const A100 = fixture("nvidia-smi-a100-sxm4-80gb.xml");
const H100 = fixture("nvidia-smi-8x-h100-80gb-hbm3.xml");
const RTX = fixture("nvidia-smi-rtx-4090.xml");

interface SiRecord {
  graphics: Systeminformation.GraphicsData;
  cpu: Systeminformation.CpuData;
  mem: Systeminformation.MemData;
}
/** A systeminformation stand-in answering from a recorded fixture, counting graphics() calls. */
function recorded(name: string): SystemInformationSource & { graphicsCalls: number } {
  const r = JSON.parse(fixture(name)) as SiRecord;
  const source = {
    graphicsCalls: 0,
    graphics: async () => {
      source.graphicsCalls++;
      return r.graphics;
    },
    cpu: async () => r.cpu,
    mem: async () => r.mem,
  };
  return source;
}
function capture() {
  const warnings: { details: object; message: string }[] = [];
  return { warnings, warn: (details: object, message: string) => warnings.push({ details, message }) };
}
const thrown = (f: () => unknown): HardwareError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HardwareError);
    return e as HardwareError;
  }
  throw new Error("expected a HardwareError");
};

const scratch = mkdtempSync(join(tmpdir(), "artha-hw-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("parseNvidiaSmiXml", () => {
  it("reads one A100-SXM4-80GB", () => {
    expect(parseNvidiaSmiXml(A100)).toEqual({
      driverVersion: "535.161.07",
      cudaVersion: "12.2",
      gpus: [
        {
          index: 0,
          uuid: "GPU-5c3c1e8a-7e0d-4b0f-9a3f-2d6f1b7c9e41",
          model: "NVIDIA A100-SXM4-80GB",
          vramMb: 81920,
          driverVersion: "535.161.07",
          busId: "00000000:07:00.0",
          minorNumber: 0,
        },
      ],
    });
  });

  it("reads eight H100 80GB HBM3 in NVML order, whatever their minor numbers", () => {
    const { gpus, driverVersion } = parseNvidiaSmiXml(H100);
    expect(driverVersion).toBe("550.54.15");
    expect(gpus).toHaveLength(8);
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((g) => g.model))).toEqual(new Set(["NVIDIA H100 80GB HBM3"]));
    expect(gpus.every((g) => g.vramMb === 81559)).toBe(true);
    expect(new Set(gpus.map((g) => g.uuid)).size).toBe(8);
    expect(gpus[0]).toMatchObject({
      uuid: "GPU-0f2b8c3d-5e6a-4b7c-8d9e-a1b2c3d4e5f6",
      busId: "00000000:18:00.0",
      minorNumber: 2,
    });
    expect(gpus[7]).toMatchObject({ busId: "00000000:DB:00.0", minorNumber: 4 });
  });

  it("reads a consumer RTX 4090 with display processes", () => {
    expect(parseNvidiaSmiXml(RTX).gpus).toEqual([
      {
        index: 0,
        uuid: "GPU-9d1f0e2c-6b3a-4c8d-b7e5-1a2f3c4d5e6f",
        model: "NVIDIA GeForce RTX 4090",
        vramMb: 24564,
        driverVersion: "550.107.02",
        busId: "00000000:01:00.0",
        minorNumber: 0,
      },
    ]);
  });

  it("reads a report with no GPU attached", () => {
    const xml = A100.replace(/\t<gpu id=[\s\S]*<\/gpu>\n/, "").replace(
      "<attached_gpus>1</attached_gpus>",
      "<attached_gpus>0</attached_gpus>",
    );
    expect(parseNvidiaSmiXml(xml)).toMatchObject({ gpus: [] });
  });

  it.each([
    [
      "cut short",
      A100.slice(0, A100.indexOf("<fb_memory_usage>")),
      /^nvidia-smi -q -x: line 106: the document ends inside <gpu> \(opened on line 8\)$/,
    ],
    [
      "cut inside a tag",
      A100.slice(0, A100.indexOf("<fb_memory_usage>") + 4),
      /line 106: an unreadable tag "<fb_"/,
    ],
    [
      "an end tag that does not match",
      A100.replace("</uuid>", "</serial>"),
      /line 29: expected <\/uuid> \(opened on line 29\), got <\/serial>/,
    ],
    ["a bare ampersand", A100.replace("NVIDIA A100-SXM4-80GB", "A & B"), /line 9: a bare "&"/],
    [
      "an unknown entity",
      A100.replace("NVIDIA A100-SXM4-80GB", "A &nbsp; B"),
      /line 9: unknown entity &nbsp;/,
    ],
    [
      "a DOCTYPE defining entities",
      A100.replace('"nvsmi_device_v12.dtd">', '"x" [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
      /DOCTYPE with an internal subset/,
    ],
    ["text after the root", `${A100}trailing`, /text outside the root element: "trailing"/],
    ["two roots", `${A100}<nvidia_smi_log></nvidia_smi_log>`, /a second root element <nvidia_smi_log>/],
    ["nothing at all", "", /no root element/],
  ])("refuses malformed XML (%s) with a malformed-xml error naming the line", (_what, xml, message) => {
    const e = thrown(() => parseNvidiaSmiXml(xml));
    expect(e.code).toBe("malformed-xml");
    expect(e.message).toMatch(message);
  });

  it.each([
    ["another document", "<?xml version='1.0'?><html></html>", /root: expected <nvidia_smi_log>, got <html>/],
    [
      "VRAM in another unit",
      A100.replace("<total>81920 MiB</total>", "<total>80 GiB</total>"),
      /gpu 00000000:07:00.0: fb_memory_usage\/total: expected "<integer> MiB", got "80 GiB"/,
    ],
    [
      "a missing uuid",
      A100.replace(/<uuid>.*<\/uuid>/, ""),
      /gpu 00000000:07:00.0: expected one <uuid> in <gpu> \(line 8\), found 0/,
    ],
    [
      "an unreadable uuid",
      A100.replace(/<uuid>.*<\/uuid>/, "<uuid>N/A</uuid>"),
      /uuid: expected "GPU-<hex>", got "N\/A"/,
    ],
    [
      "a GPU count that disagrees",
      A100.replace("<attached_gpus>1</attached_gpus>", "<attached_gpus>2</attached_gpus>"),
      /attached_gpus says 2 but the report has 1 <gpu>/,
    ],
    [
      "a gpu without its bus id",
      A100.replace('<gpu id="00000000:07:00.0">', "<gpu>"),
      /<gpu> on line 8: expected an id=/,
    ],
  ])(
    "refuses a report it cannot read (%s) with an unexpected-xml error naming the field",
    (_what, xml, message) => {
      const e = thrown(() => parseNvidiaSmiXml(xml));
      expect(e.code).toBe("unexpected-xml");
      expect(e.message).toMatch(message);
    },
  );

  it("decodes entities, CDATA and comments like an XML reader", () => {
    const xml = A100.replace("NVIDIA A100-SXM4-80GB", "<!-- c -->A&amp;B &#x41;&#66;<![CDATA[ <raw> ]]>");
    expect(parseNvidiaSmiXml(xml).gpus[0]!.model).toBe("A&B AB <raw>");
  });
});

describe("detectHardware", () => {
  it.each([
    [
      "nvidia-smi-a100-sxm4-80gb.xml",
      "si-a100-sxm4-80gb.json",
      256,
      1_031_698,
      1,
      "NVIDIA A100-SXM4-80GB",
      80,
    ],
    [
      "nvidia-smi-8x-h100-80gb-hbm3.xml",
      "si-8x-h100-80gb-hbm3.json",
      224,
      2_063_919,
      8,
      "NVIDIA H100 80GB HBM3",
      80,
    ],
    ["nvidia-smi-rtx-4090.xml", "si-rtx-4090.json", 32, 63_531, 1, "NVIDIA GeForce RTX 4090", 24],
  ])(
    "prefers nvidia-smi's report (%s) and takes CPU and RAM from systeminformation",
    async (xml, siFile, cores, ramMb, count, model, vramGb) => {
      const source = recorded(siFile);
      const log = capture();
      const hw = await detectHardware({ nvidiaSmi: async () => fixture(xml), si: source, log });
      expect(hw).toMatchObject({ cpuCores: cores, ramMb, gpuModel: model, vramGbPerGpu: vramGb });
      expect(hw.gpus).toHaveLength(count);
      expect(hw.gpus.every((g) => g.uuid.startsWith("GPU-"))).toBe(true);
      expect(log.warnings).toEqual([]);
      expect(source.graphicsCalls).toBe(0);
    },
  );

  it("has no GPUs when nvidia-smi is not installed, even if lspci shows an NVIDIA card, without a warning", async () => {
    const log = capture();
    const hw = await detectHardware({
      nvidiaSmi: async () => undefined,
      si: recorded("si-rtx-4090.json"),
      log,
    });
    expect(hw).toMatchObject({ gpus: [], gpuModel: "", vramGbPerGpu: 0, cpuCores: 32 });
    expect(log.warnings).toEqual([]);
  });

  it("falls back to systeminformation, with a warning carrying nvidia-smi's words, when nvidia-smi fails", async () => {
    const log = capture();
    const failing = async () => {
      throw new HardwareError(
        "nvidia-smi-failed",
        "nvidia-smi -q -x failed (exit code 9): No devices were found",
      );
    };
    const hw = await detectHardware({ nvidiaSmi: failing, si: recorded("si-8x-h100-80gb-hbm3.json"), log });
    expect(hw.gpus).toHaveLength(8);
    expect(hw.gpus[3]).toEqual({
      index: 3,
      uuid: "",
      model: "NVIDIA H100 80GB HBM3",
      vramMb: 81559,
      driverVersion: "550.54.15",
      busId: "00000000:5D:00.0",
    });
    expect(hw).toMatchObject({ gpuModel: "NVIDIA H100 80GB HBM3", vramGbPerGpu: 80 });
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]!.details).toMatchObject({
      nvidiaSmi: expect.stringContaining("No devices were found"),
    });
  });

  it("falls back too when nvidia-smi's report cannot be read, and never takes a PCI BAR for VRAM", async () => {
    const log = capture();
    const hw = await detectHardware({
      nvidiaSmi: async () => A100.slice(0, 300),
      si: recorded("si-a100-sxm4-80gb-lspci-only.json"),
      log,
    });
    // lspci's "vram" here is BAR1 (131072 MiB); the ASPEED BMC controller is not a GPU.
    expect(hw.gpus).toEqual([{ index: 0, uuid: "", model: "GA100 [A100 SXM4 80GB]", vramMb: 0 }]);
    expect(hw.vramGbPerGpu).toBe(0);
    expect(log.warnings[0]!.details).toMatchObject({
      nvidiaSmi: expect.stringContaining("nvidia-smi -q -x: line"),
    });
  });

  it("detects this machine for real: CPUs and RAM, no GPU", async () => {
    const hw = await detectHardware();
    expect(hw.cpuCores).toBeGreaterThanOrEqual(1);
    expect(hw.ramMb).toBeGreaterThan(0);
    expect(hw).toMatchObject({ gpus: [], gpuModel: "", vramGbPerGpu: 0 });
  });

  it("matches this machine's recorded systeminformation output", async () => {
    const hw = await detectHardware({
      nvidiaSmi: async () => undefined,
      si: recorded("si-this-machine.json"),
    });
    expect(hw).toEqual({ cpuCores: 2, ramMb: 24105, gpus: [], gpuModel: "", vramGbPerGpu: 0 });
  });
});

describe("runNvidiaSmi", () => {
  const fake = (name: string, body: string) => {
    const path = join(scratch, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it("returns the report nvidia-smi prints, asked with -q -x", async () => {
    const xmlFile = join(scratch, "report.xml");
    writeFileSync(xmlFile, RTX);
    const smi = fake("smi-ok", `[ "$1 $2" = "-q -x" ] || exit 64\ncat ${xmlFile}`);
    expect(await runNvidiaSmi(smi)).toBe(RTX);
  });

  it("returns undefined when nvidia-smi is not installed", async () => {
    expect(await runNvidiaSmi(join(scratch, "no-such-nvidia-smi"))).toBeUndefined();
  });

  it("fails with nvidia-smi's own message and exit code", async () => {
    const smi = fake(
      "smi-broken",
      'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."; exit 9',
    );
    await expect(runNvidiaSmi(smi)).rejects.toMatchObject({
      code: "nvidia-smi-failed",
      message: expect.stringMatching(
        /failed \(exit code 9\): NVIDIA-SMI has failed because it couldn't communicate/,
      ),
    });
  });

  it("gives up on a hung nvidia-smi", async () => {
    const smi = fake("smi-hung", "sleep 10");
    await expect(runNvidiaSmi(smi, 300)).rejects.toMatchObject({
      code: "nvidia-smi-failed",
      message: expect.stringContaining("killed after 300 ms"),
    });
  });
});

describe("summarizeHardware", () => {
  it("names the most common model and the smallest GPU's whole GiB", () => {
    const gpu = (index: number, model: string, vramMb: number) => ({
      index,
      uuid: `GPU-${index}`,
      model,
      vramMb,
    });
    expect(
      summarizeHardware({
        cpuCores: 8,
        ramMb: 1000,
        gpus: [gpu(0, "A", 24564), gpu(1, "B", 81920), gpu(2, "B", 81920)],
      }),
    ).toMatchObject({ gpuModel: "B", vramGbPerGpu: 24 });
    expect(
      summarizeHardware({ cpuCores: 8, ramMb: 1000, gpus: [gpu(0, "A", 1), gpu(1, "B", 1)] }).gpuModel,
    ).toBe("A");
  });
});
