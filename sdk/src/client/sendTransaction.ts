import {
  type Abi,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  type Hash,
  type TransactionReceipt,
} from "viem";
import { arthaErrorsAbi } from "../abi/generated.ts";
import type { ArthaWriteContext } from "./context.ts";

/** A transaction the contract refused (decoded custom error) or that failed to land. */
export class ArthaTxError extends Error {
  override name = "ArthaTxError";
  /** What was being done: "submitJob", "approve", … */
  readonly label: string;
  /** The contract's custom error name when it refused, e.g. "MaxPriceTooLow"; undefined otherwise. */
  readonly errorName: string | undefined;
  /** The transaction, when one was sent and reverted. */
  readonly hash: Hash | undefined;
  // Plain fields, not parameter properties: Node's type stripping runs this file as it is.
  constructor(label: string, errorName: string | undefined, message: string, hash?: Hash) {
    super(message);
    this.label = label;
    this.errorName = errorName;
    this.hash = hash;
  }
}

export type SendTransactionParameters<
  abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
> = {
  label: string;
  address: `0x${string}`;
  abi: abi;
  functionName: name;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", name>;
  /** Block confirmations to wait for. Default 1. */
  confirmations?: number;
};

/**
 * Simulates (a revert there is the contract refusing: thrown as ArthaTxError with the decoded custom error
 * and nothing is sent), sends, and waits for the receipt; a reverted receipt is thrown too. Every SDK write
 * goes through here so a caller sees one kind of error whatever the action.
 */
export async function sendTransaction<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(ctx: ArthaWriteContext, p: SendTransactionParameters<abi, name>): Promise<TransactionReceipt> {
  const { publicClient, walletClient } = ctx;
  const request = await simulateTransaction(ctx, p);
  const hash = await walletClient.writeContract(request as never);
  const receipt = await publicClient.waitForTransactionReceipt({
    hash,
    confirmations: p.confirmations ?? 1,
    pollingInterval: 250,
  });
  if (receipt.status !== "success") {
    throw new ArthaTxError(p.label, undefined, `${p.label}: transaction ${hash} reverted`, hash);
  }
  return receipt;
}

/**
 * sendTransaction's simulation alone: the contract's refusal as the same ArthaTxError, nothing sent. For an
 * action that must hear the contract out before a preparatory transaction (an approval). Returns the request.
 */
export async function simulateTransaction<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(ctx: ArthaWriteContext, p: SendTransactionParameters<abi, name>): Promise<unknown> {
  try {
    const { request } = await ctx.publicClient.simulateContract({
      account: ctx.walletClient.account,
      address: p.address,
      // The shared errors ABI lets viem name any ArthaAIN custom error, whichever contract raised it.
      abi: [...p.abi, ...arthaErrorsAbi] as Abi,
      functionName: p.functionName as string,
      args: p.args as readonly unknown[],
    });
    return request;
  } catch (error) {
    throw refusal(p.label, error);
  }
}

function refusal(label: string, error: unknown): ArthaTxError {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName ?? reverted.signature;
      const args = reverted.data?.args?.length
        ? `(${reverted.data.args.map((a) => String(a)).join(", ")})`
        : "";
      const why = name ? `${name}${args}` : reverted.reason || "reverted without a reason";
      return new ArthaTxError(label, name ?? undefined, `${label} refused by the contract: ${why}`);
    }
    return new ArthaTxError(label, undefined, `${label} failed: ${error.shortMessage}`);
  }
  return new ArthaTxError(label, undefined, `${label} failed: ${(error as Error).message}`);
}
