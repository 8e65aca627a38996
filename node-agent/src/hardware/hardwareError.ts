// Detection failures worth a specific message: a tool that answered wrongly is a different problem (and a
// different fix) from one that is missing.

export type HardwareErrorCode =
  /** Not well-formed XML: the document is cut short or corrupted. */
  | "malformed-xml"
  /** Well-formed, but not the nvidia-smi report we read (another root, a field missing or unreadable). */
  | "unexpected-xml"
  /** nvidia-smi exists but failed (driver not loaded, GPU fallen off the bus, timeout). */
  | "nvidia-smi-failed";

export class HardwareError extends Error {
  override readonly name = "HardwareError";
  readonly code: HardwareErrorCode;
  constructor(code: HardwareErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
