"""Agent job: runs the declared agent program against its task, one step at a time, within a step
budget, through the fixed toolset in tools.py. Every step goes to /artha/out/transcript.jsonl; the
final answer goes to result.json.

The agent program is a Python file under /artha/in/model (spec.runtime.agent.program) defining

    def next_action(task, history) -> {"tool": <name>, "input": {...}} | {"answer": <any JSON>}

where history lists the earlier steps as {"step", "tool", "input", "output"}. The runner owns all
I/O, so the transcript is the complete record of what the agent saw and did.

Replay (for verifiers): with ARTHA_AGENT_REPLAY naming a recorded transcript, the runner feeds the
recorded outputs of external tools (http_get) instead of calling them, re-runs every other tool,
and fails at the first step whose action or output differs from the record. An honest run replays
to the same transcript bytes, hence the same output root.
"""

import copy
import hashlib
import importlib.util
import json
import os
import random
import traceback

import numpy as np
import tools
from artha_job import (
    EXIT_JOB_FAILED,
    MODEL_DIR,
    OUT_DIR,
    JobError,
    declare,
    field,
    input_path,
    load_spec,
    log,
    run_job,
    write_result,
)

TRANSCRIPT = "transcript.jsonl"


def line(record):
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False) + "\n"


def agent_settings(spec):
    runtime = field(spec, "runtime", "", "object")
    agent = field(runtime, "agent", "runtime", "object")
    w = "runtime.agent"
    return {
        "program": field(agent, "program", w, "string", expected="a .py file under /artha/in/model"),
        "task": field(agent, "task", w, "object"),
        "maxSteps": field(agent, "maxSteps", w, "int", default=32, check=lambda v: 1 <= v <= 1000, expected="an integer in [1, 1000]"),
        "allowHosts": field(
            agent,
            "allowHosts",
            w,
            "list",
            default=[],
            check=lambda v: all(isinstance(h, str) and h and "/" not in h for h in v),
            expected='a list of "host" or "host:port" strings',
        ),
        "httpTimeoutSeconds": field(
            agent, "httpTimeoutSeconds", w, "number", default=10, check=lambda v: 0 < v <= 300, expected="a number in (0, 300]"
        ),
    }


def load_program(rel):
    path = input_path(MODEL_DIR, rel, "runtime.agent.program")
    if not os.path.isfile(path):
        raise JobError("missing-program", f"agent program model/{rel} does not exist under /artha/in/model")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    spec = importlib.util.spec_from_file_location("artha_agent_program", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the program is the requester's code
        traceback.print_exc()
        raise JobError("invalid-program", f"agent program model/{rel} failed to load: {type(e).__name__}: {e}")
    if not callable(getattr(module, "next_action", None)):
        raise JobError("invalid-program", f"agent program model/{rel} defines no next_action(task, history)")
    return module, digest


def check_action(action, step):
    def bad(why):
        return JobError("invalid-action", f"step {step}: agent returned {json.dumps(action)[:120]}: {why}", EXIT_JOB_FAILED)

    if not isinstance(action, dict):
        raise bad("expected an object")
    if set(action) == {"answer"}:
        return action
    if set(action) != {"tool", "input"}:
        raise bad('expected {"tool", "input"} or {"answer"}')
    if action["tool"] not in tools.TOOLS:
        raise bad(f"unknown tool; the toolset is {', '.join(tools.TOOLS)}")
    if not isinstance(action["input"], dict):
        raise bad("input must be an object")
    try:
        line(action)
    except (TypeError, ValueError) as e:
        raise bad(f"not JSON-serialisable ({e})")
    return action


class Replay:
    """The recorded transcript a verifier replays against (ARTHA_AGENT_REPLAY)."""

    def __init__(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                self.lines = [json.loads(text) for text in f if text.strip()]
        except (OSError, ValueError) as e:
            raise JobError("invalid-replay", f"replay transcript {path} is not readable JSON lines: {e}")
        self.index = 0

    def expect(self, record, what):
        """Checks that `record` is the next recorded line (`what` names it in the error)."""
        recorded = self.lines[self.index] if self.index < len(self.lines) else None
        self.index += 1
        if recorded != record:
            raise JobError(
                "replay-mismatch",
                f"replay differs at transcript line {self.index} ({what}): recorded "
                f"{json.dumps(recorded)[:400]}, replayed {json.dumps(record)[:400]}",
                EXIT_JOB_FAILED,
            )

    def recorded_output(self):
        recorded = self.lines[self.index] if self.index < len(self.lines) else {}
        return recorded.get("output")


def main():
    spec, _, seed = load_spec(["agent"])
    settings = agent_settings(spec)
    # A program that draws random numbers draws the same ones in a replay.
    random.seed(seed)
    np.random.seed(seed)
    program, digest = load_program(settings["program"])
    replay_path = os.environ.get("ARTHA_AGENT_REPLAY")
    replay = Replay(replay_path) if replay_path else None
    ctx = {"allowHosts": settings["allowHosts"], "httpTimeoutSeconds": settings["httpTimeoutSeconds"], "refusals": 0}
    transcript = open(os.path.join(OUT_DIR, TRANSCRIPT), "w", encoding="utf-8")

    def record(entry, what):
        if replay:
            replay.expect(entry, what)
        transcript.write(line(entry))
        transcript.flush()  # a killed job still leaves every finished step on disk

    record(
        {
            "type": "start",
            "program": settings["program"],
            "programSha256": digest,
            "task": settings["task"],
            "seed": seed,
            "maxSteps": settings["maxSteps"],
            "allowHosts": settings["allowHosts"],
            "tools": sorted(tools.TOOLS),
        },
        "start",
    )
    log(f"agent: {settings['program']} with {settings['maxSteps']} steps{' (replay)' if replay else ''}")
    history = []
    for step in range(1, settings["maxSteps"] + 1):
        try:
            action = program.next_action(copy.deepcopy(settings["task"]), copy.deepcopy(history))
        except Exception as e:  # noqa: BLE001 - the program is the requester's code
            traceback.print_exc()
            raise JobError("agent-error", f"step {step}: agent program raised {type(e).__name__}: {e}", EXIT_JOB_FAILED)
        action = check_action(action, step)
        if "answer" in action:
            record({"type": "answer", "step": step, "answer": action["answer"]}, f"step {step} answer")
            transcript.close()
            if replay and replay.index != len(replay.lines):
                raise JobError(
                    "replay-mismatch",
                    f"replay answered at step {step} but the recorded transcript goes on for "
                    f"{len(replay.lines) - replay.index} more lines",
                    EXIT_JOB_FAILED,
                )
            tool_calls = step - 1
            metrics = {"steps": step, "toolCalls": tool_calls, "refusals": ctx["refusals"]}
            write_result(
                "agent",
                "succeeded",
                metrics=metrics,
                outputs=[declare(TRANSCRIPT, "transcript")],
                extra={"answer": action["answer"]},
            )
            log(f"agent: answered after {tool_calls} tool calls")
            return
        if replay and action["tool"] in tools.EXTERNAL:
            output = replay.recorded_output()
            if action["tool"] == "http_get" and not tools.host_allowed(action["input"].get("url", ""), ctx["allowHosts"])[0]:
                output = tools.call(action["tool"], action["input"], ctx)  # a refusal is local: re-run it
        else:
            output = tools.call(action["tool"], action["input"], ctx)
        entry = {"type": "tool", "step": step, "tool": action["tool"], "input": action["input"], "output": output}
        record(entry, f"step {step} {action['tool']}")
        history.append({"step": step, "tool": action["tool"], "input": action["input"], "output": output})
        log(f"agent: step {step}: {action['tool']} {json.dumps(action['input'])[:120]}")
    transcript.close()
    raise JobError(
        "step-budget-exhausted",
        f"the agent used all {settings['maxSteps']} steps (runtime.agent.maxSteps) without an answer",
        EXIT_JOB_FAILED,
    )


if __name__ == "__main__":
    run_job("agent", main)
