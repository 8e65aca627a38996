// What every arthai command shares: the resolved config, lazy chain sessions, output (human or --json on
// stdout, progress on stderr), and errors as one line on stderr with exit code 1, in words a person can act
// on: the URL that did not answer, the contract's decoded error, the spec field that is wrong.
import { BaseError, ContractFunctionRevertedError, HttpRequestError } from "viem";
import { InsufficientBalanceError } from "../actions/token/tokenBalance.ts";
import { ArthaTxError } from "../client/sendTransaction.ts";
import { JobSpecError } from "../spec/jobSpecError.ts";
import { type GlobalFlags, type ResolvedConfig, resolveConfig } from "./config.ts";
import { connectRead, connectWrite, type ReadSession, type WriteSession } from "./connect.ts";
import { toJson } from "./format.ts";

export type Cli = {
  json: boolean;
  config(): ResolvedConfig;
  read(): Promise<ReadSession>;
  write(): Promise<WriteSession>;
  /** The result: `human` text, or `data` as JSON with --json. */
  print(human: string, data: unknown): void;
  /** A progress line on stderr (never mixed into stdout, so --json output stays parseable). */
  progress(line: string): void;
};

export type Options = Record<string, unknown>;
/** The program's global flags, read when a command runs (commander fills them only once it parses). */
export type Globals = () => GlobalFlags;

function createCli(globals: GlobalFlags): Cli {
  let config: ResolvedConfig | undefined;
  let read: Promise<ReadSession> | undefined;
  let write: Promise<WriteSession> | undefined;
  const cli: Cli = {
    json: Boolean(globals.json),
    config: () => {
      config ??= resolveConfig(globals);
      return config;
    },
    read: () => {
      read ??= write ?? connectRead(cli.config());
      return read;
    },
    write: () => {
      write ??= connectWrite(cli.config());
      return write;
    },
    print: (human, data) => console.log(cli.json ? toJson(data) : human),
    progress: (line) => console.error(line),
  };
  return cli;
}

/** A command's action: runs `fn`; when it fails, `arthai <name>: <message>` on stderr and exit code 1. */
export function command(
  name: string,
  globals: Globals,
  fn: (cli: Cli, ...args: never[]) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await (fn as (cli: Cli, ...a: unknown[]) => Promise<void>)(createCli(globals()), ...args);
    } catch (error) {
      console.error(`arthai ${name}: ${explain(error)}`);
      process.exitCode = 1;
    }
  };
}

/** Hints for contract errors whose name alone does not say what to do. */
const hints: Record<string, string> = {
  NotRequester: "only the account that submitted the job can do this",
  NotModelOwner: "only the model's owner can do this",
  JobNotCancellable: "the job already has a result or has ended; it can no longer be cancelled",
  NodeMissedDeadline: "the node missed its deadline: the job reopens or expires instead",
  AlreadyPublished: "it is published already",
  ERC20InsufficientBalance: "the account holds too few tokens",
  ERC20InsufficientAllowance: "the job manager may not spend that much of the account's tokens",
  NotAChallenger: "only the job's requester or an active node other than its worker can challenge it",
  ChallengeWindowClosed: "the challenge window is over: the result stands",
};

/** One line a person understands, whatever was thrown. */
export function explain(error: unknown): string {
  if (error instanceof ArthaTxError) {
    const hint = error.errorName ? hints[error.errorName] : undefined;
    return `${firstLine(error.message)}${hint ? ` (${hint})` : ""}`;
  }
  if (error instanceof JobSpecError) return `invalid spec: ${error.message}`;
  if (error instanceof InsufficientBalanceError) return `insufficient balance: ${error.message}`;
  if (error instanceof BaseError) {
    const http = error.walk((e) => e instanceof HttpRequestError);
    if (http instanceof HttpRequestError) {
      return `cannot reach the chain at ${http.url}: ${firstLine(http.details || http.shortMessage)}`;
    }
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
      const args = reverted.data.args?.map(String).join(", ") ?? "";
      const hint = hints[reverted.data.errorName];
      return `refused by the contract: ${reverted.data.errorName}(${args})${hint ? ` (${hint})` : ""}`;
    }
    return firstLine(error.shortMessage);
  }
  return firstLine(error instanceof Error ? error.message : String(error));
}

const firstLine = (text: string) => text.split("\n")[0]!.trim();
