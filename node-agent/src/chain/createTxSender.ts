import { arthaErrorsAbi } from "@arthaain/sdk";
import {
  type Abi,
  type Account,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  type Hash,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { type Log, silentLog } from "../log.ts";

export type TxRequest = {
  /** What the transaction does, for logs ("claim", "submitResult", …). */
  label: string;
  address: `0x${string}`;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  /** Extra fields for the log lines (jobId, price, …). */
  context?: Record<string, unknown>;
};

/** How a transaction ended. `refused`: the contract would revert, so nothing was sent. */
export type TxOutcome =
  | { status: "mined"; hash: Hash; blockNumber: bigint; gasUsed: bigint }
  | { status: "reverted"; hash: Hash; blockNumber: bigint }
  | { status: "refused"; errorName: string; reason: string }
  | { status: "failed"; reason: string };

export type TxSenderOptions = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  log?: Log;
  /** Retries of transport errors and nonce races before giving up. Default 4. */
  maxRetries?: number;
  /** Gas limit = estimate × (1 + margin). Default 0.2. */
  gasMargin?: number;
  /** How long to wait for a receipt, ms. Default 60000. */
  receiptTimeoutMs?: number;
};

/**
 * The agent's single transaction sender: one transaction at a time from one account, so nonces never race.
 * Each request is estimated first (a revert there means the contract refuses: reported with the decoded
 * custom error and not sent, so a lost auction costs no gas), sent with an explicit nonce and gas limit,
 * and awaited. Transport errors and nonce races are retried with backoff; every outcome is one log line.
 */
export function createTxSender(opts: TxSenderOptions) {
  const { publicClient, walletClient } = opts;
  const log = opts.log ?? silentLog;
  const account = walletClient.account;
  const maxRetries = opts.maxRetries ?? 4;
  const margin = BigInt(Math.round((opts.gasMargin ?? 0.2) * 100));
  let nonce: number | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const sent = new Map<string, number>();

  async function sendOnce(req: TxRequest): Promise<TxOutcome> {
    const abi = [...req.abi, ...arthaErrorsAbi] as Abi;
    const call = {
      address: req.address,
      abi,
      functionName: req.functionName,
      args: req.args,
      account,
    } as const;
    let gas: bigint;
    try {
      gas = await publicClient.estimateContractGas(call as never);
    } catch (error) {
      const refusal = decodeRefusal(error);
      if (refusal) return { status: "refused", ...refusal };
      throw error;
    }
    nonce ??= await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
    const hash = await walletClient.writeContract({
      ...call,
      chain: walletClient.chain,
      gas: gas + (gas * margin) / 100n,
      nonce,
    } as never);
    nonce += 1;
    sent.set(req.label, (sent.get(req.label) ?? 0) + 1);
    log.info({ tx: req.label, hash, nonce: nonce - 1, ...req.context }, `${req.label}: sent`);
    const receipt = await publicClient.waitForTransactionReceipt({
      hash,
      timeout: opts.receiptTimeoutMs ?? 60_000,
    });
    if (receipt.status === "success") {
      return { status: "mined", hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    }
    return { status: "reverted", hash, blockNumber: receipt.blockNumber };
  }

  async function send(req: TxRequest): Promise<TxOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await sendOnce(req);
        logOutcome(req, outcome);
        return outcome;
      } catch (error) {
        // The node may have our nonce in a state we did not expect (a send that failed after reaching the
        // pool, a restart): re-read it before the retry.
        nonce = undefined;
        const reason = shortMessage(error);
        if (attempt >= maxRetries) {
          const outcome: TxOutcome = { status: "failed", reason };
          logOutcome(req, outcome);
          return outcome;
        }
        const wait = 250 * 2 ** attempt;
        log.warn(
          { tx: req.label, attempt: attempt + 1, retryInMs: wait, reason, ...req.context },
          `${req.label}: retrying`,
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  function logOutcome(req: TxRequest, o: TxOutcome) {
    const fields = { tx: req.label, ...req.context, ...o };
    if (o.status === "mined") log.info(fields, `${req.label}: mined in block ${o.blockNumber}`);
    else if (o.status === "refused")
      log.info(fields, `${req.label}: refused by the contract (${o.errorName})`);
    else log.warn(fields, `${req.label}: ${o.status}`);
  }

  return {
    address: account.address,
    /** Queues `req` behind earlier ones and resolves with its outcome (never throws). */
    send(req: TxRequest): Promise<TxOutcome> {
      const next = queue.then(() => send(req));
      queue = next.catch(() => undefined);
      return next;
    },
    /** Transactions broadcast (refusals are not), in all or with one label. */
    sentCount: (label?: string) =>
      label === undefined ? [...sent.values()].reduce((a, b) => a + b, 0) : (sent.get(label) ?? 0),
  };
}

export type TxSender = ReturnType<typeof createTxSender>;

function decodeRefusal(error: unknown): { errorName: string; reason: string } | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  if (!revert) return undefined;
  const errorName = revert.data?.errorName ?? revert.reason ?? "unknown revert";
  const args = revert.data?.args?.map((a) => (typeof a === "bigint" ? a.toString() : a)) ?? [];
  return { errorName, reason: args.length ? `${errorName}(${args.join(", ")})` : errorName };
}

function shortMessage(error: unknown): string {
  return error instanceof BaseError ? error.shortMessage : String((error as Error)?.message ?? error);
}
