import { jobManagerAbi, mockTokenAbi } from "@arthaain/sdk";
import { createPublicClient, createWalletClient, custom, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { devKey } from "../../../scripts/lib/agentNetwork.ts";
import { deployArtha, TOKEN } from "../../../scripts/lib/artha.ts";
import { createTxSender } from "./createTxSender.ts";

let a: Awaited<ReturnType<typeof deployArtha>>;
beforeAll(async () => {
  a = await deployArtha();
});

function sender() {
  const transport = custom(a.conn.provider as never);
  const account = privateKeyToAccount(devKey(5));
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const chain = {
    id: 31337,
    name: "hardhat",
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  };
  const walletClient = createWalletClient({ transport, account, chain });
  return { tx: createTxSender({ publicClient, walletClient: walletClient as never }), account, walletClient };
}

describe("createTxSender", () => {
  it("sends concurrent requests one after another with consecutive nonces", async () => {
    const { tx, account } = sender();
    const mint = (n: bigint) =>
      tx.send({
        label: "mint",
        address: a.token.address,
        abi: mockTokenAbi,
        functionName: "mint",
        args: [account.address, n],
      });
    const outcomes = await Promise.all([1n, 2n, 3n, 4n, 5n].map((n) => mint(n * TOKEN)));
    expect(outcomes.map((o) => o.status)).toEqual(["mined", "mined", "mined", "mined", "mined"]);
    const nonces = await Promise.all(
      outcomes.map(
        async (o) =>
          (await a.publicClient.getTransaction({ hash: (o as { hash: `0x${string}` }).hash })).nonce,
      ),
    );
    expect(nonces).toEqual([...nonces].sort((x, y) => x - y));
    expect(new Set(nonces).size).toBe(5);
    expect(tx.sentCount("mint")).toBe(5);
  });

  it("reports a contract refusal with the decoded custom error and sends nothing", async () => {
    const { tx } = sender();
    const { jobId } = await a.submitJob();
    const record = await a.record(jobId);
    const outcome = await tx.send({
      label: "claim",
      address: a.jobManager.address,
      abi: jobManagerAbi,
      functionName: "claim",
      args: [jobId, record, 1n, []],
    });
    // The bid window is still open: ClaimWindowNotOpen(jobId, bidEnd, now).
    expect(outcome).toMatchObject({ status: "refused", errorName: "ClaimWindowNotOpen" });
    expect((outcome as { reason: string }).reason).toMatch(
      new RegExp(`^ClaimWindowNotOpen\\(${jobId}, ${record.bidEnd}, \\d+\\)$`),
    );
    expect(tx.sentCount()).toBe(0);
  });

  it("recovers when the account's nonce moved behind its back (the operator used the CLI meanwhile)", async () => {
    const { tx, account, walletClient } = sender();
    const mint = () =>
      tx.send({
        label: "mint",
        address: a.token.address,
        abi: mockTokenAbi,
        functionName: "mint",
        args: [account.address, 1n],
      });
    expect((await mint()).status).toBe("mined");
    // Another process sends from the same key: the sender's cached nonce is now stale.
    const other = await walletClient.writeContract({
      address: a.token.address,
      abi: mockTokenAbi,
      functionName: "mint",
      args: [account.address, 1n],
      chain: walletClient.chain,
    });
    await a.publicClient.waitForTransactionReceipt({ hash: other });
    expect((await mint()).status).toBe("mined");
  });
});
