import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jobKinds, jobStates } from "./constants.ts";

// The TS lists must match the Solidity enums member for member: the contracts speak uint8s.
function solidityEnum(name: string): string[] {
  const source = readFileSync(
    new URL("../../contracts/interfaces/IAIJobManager.sol", import.meta.url),
    "utf8",
  );
  const body = source.match(new RegExp(`enum ${name} \\{([^}]*)\\}`))?.[1];
  if (!body) throw new Error(`enum ${name} not found in IAIJobManager.sol`);
  return body
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

describe("protocol enums", () => {
  it("job states match the Solidity JobState enum", () => {
    expect([...jobStates]).toEqual(solidityEnum("JobState"));
  });
  it("job kinds match the Solidity JobKind enum", () => {
    expect([...jobKinds]).toEqual(solidityEnum("JobKind"));
  });
});
