import {
  type Address,
  isAddressEqual,
  type ParseEventLogsReturnType,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";

/** Every ProofOfCompute event in `receipt`, decoded. Only the deployment's `proofOfCompute` logs count: another
 * contract emitting an event with the same signature must not pass for the protocol's. */
export function proofEventsOf(
  receipt: Pick<TransactionReceipt, "logs">,
  proofOfCompute: Address,
): ParseEventLogsReturnType<typeof proofOfComputeAbi, undefined, true> {
  return parseEventLogs({
    abi: proofOfComputeAbi,
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, proofOfCompute)),
  });
}
