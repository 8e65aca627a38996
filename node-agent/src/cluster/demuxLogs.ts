// Docker multiplexes a non-TTY container's stdout and stderr into one stream of frames: an 8-byte header
// (stream id 1 or 2, three zero bytes, big-endian length) then the payload.

export interface DemuxedLogs {
  readonly stdout: string;
  readonly stderr: string;
  /** Both streams in the order the engine recorded them: what a terminal would have shown. */
  readonly combined: Buffer;
}

function isFrameHeader(raw: Buffer, at: number): boolean {
  const stream = raw[at];
  return (
    (stream === 0 || stream === 1 || stream === 2) &&
    raw[at + 1] === 0 &&
    raw[at + 2] === 0 &&
    raw[at + 3] === 0
  );
}

/** Splits the engine's log stream. Bytes that are not framed (a TTY container) count as stdout. */
export function demuxLogs(raw: Buffer): DemuxedLogs {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length && isFrameHeader(raw, at)) {
    const size = raw.readUInt32BE(at + 4);
    const frame = raw.subarray(at + 8, at + 8 + size);
    (raw[at] === 2 ? err : out).push(frame);
    all.push(frame);
    at += 8 + size;
  }
  if (at < raw.length) {
    out.push(raw.subarray(at));
    all.push(raw.subarray(at));
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    combined: Buffer.concat(all),
  };
}
