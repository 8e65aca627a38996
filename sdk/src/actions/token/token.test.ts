import { erc20Abi, getAddress, isAddressEqual, parseEventLogs, zeroAddress } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { ensureAllowance } from "./ensureAllowance.ts";
import { getPermitDomain } from "./getPermitDomain.ts";
import { signPermit } from "./signPermit.ts";
import { InsufficientBalanceError } from "./tokenBalance.ts";

let a: Artha;
let ctx: ArthaWriteContext;
beforeAll(async () => {
  a = await deployArtha();
  ctx = a.sdkContext(a.operators[3]!);
});

const allowance = (owner: `0x${string}`, spender: `0x${string}`) => a.token.read.allowance([owner, spender]);

describe("ensureAllowance", () => {
  it("refuses when the balance is short, with both amounts in token units", async () => {
    const owner = ctx.walletClient.account.address;
    await a.mined(a.token.write.mint([owner, 10n * TOKEN + 500_000n]));
    const error = await ensureAllowance(ctx, { spender: a.jobManager.address, amount: 25n * TOKEN }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    expect((error as InsufficientBalanceError).balance).toBe(10n * TOKEN + 500_000n);
    expect((error as InsufficientBalanceError).needed).toBe(25n * TOKEN);
    expect((error as Error).message).toContain("holds 10.5 aUSD");
    expect((error as Error).message).toContain("needs 25 aUSD (short by 14.5 aUSD)");
    expect(await allowance(owner, a.jobManager.address)).toBe(0n);
  });

  it("approves exactly the amount when short, and sends nothing when the allowance suffices", async () => {
    const owner = ctx.walletClient.account.address;
    const spender = a.proofOfCompute.address;
    const first = await ensureAllowance(ctx, { spender, amount: 3n * TOKEN });
    expect(first.allowance).toBe(3n * TOKEN);
    expect(await allowance(owner, spender)).toBe(3n * TOKEN);
    const receipt = await a.publicClient.getTransactionReceipt({ hash: first.hash! });
    const [approval] = parseEventLogs({ abi: erc20Abi, eventName: "Approval", logs: receipt.logs });
    expect(approval!.args).toEqual({
      owner: getAddress(owner),
      spender: getAddress(spender),
      value: 3n * TOKEN,
    });

    const enough = await ensureAllowance(ctx, { spender, amount: 2n * TOKEN });
    expect(enough).toEqual({ allowance: 3n * TOKEN });
    // A larger need replaces the allowance with exactly the new amount (approve sets, it does not add).
    const more = await ensureAllowance(ctx, { spender, amount: 5n * TOKEN });
    expect(more.hash).toBeDefined();
    expect(await allowance(owner, spender)).toBe(5n * TOKEN);
  });
});

describe("permits", () => {
  it("finds MockToken's ERC-2612 domain, and none on a contract without permit", async () => {
    const domain = await getPermitDomain(ctx);
    expect(domain).toMatchObject({ name: "Artha Test USD", version: "1", chainId: 31337 });
    expect(isAddressEqual(domain!.verifyingContract!, a.token.address)).toBe(true);
    expect(Object.keys(domain!).sort()).toEqual(["chainId", "name", "verifyingContract", "version"]);
    expect(await getPermitDomain(ctx, { token: a.jobManager.address })).toBeUndefined();
    const error = await signPermit(ctx, {
      token: a.jobManager.address,
      spender: a.jobManager.address,
      amount: 1n,
      deadline: 2n ** 40n,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /does not support ERC-2612 permits; approve with ensureAllowance/,
    );
  });

  it("signs a permit the token accepts for exactly the amount", async () => {
    const owner = ctx.walletClient.account.address;
    const spender = a.operators[4]!.account.address;
    const deadline = BigInt(await a.time.latest()) + 600n;
    const permit = await signPermit(ctx, { spender, amount: 7n * TOKEN, deadline });
    expect(permit.nonce).toBe(0n);
    expect([27, 28]).toContain(permit.v);
    // Anyone may submit it; the token checks the owner's signature.
    await a.mined(a.token.write.permit([owner, spender, 7n * TOKEN, deadline, permit.v, permit.r, permit.s]));
    expect(await allowance(owner, spender)).toBe(7n * TOKEN);
    expect(await a.token.read.nonces([owner])).toBe(1n);
    const next = await signPermit(ctx, { spender: zeroAddress, amount: 1n, deadline });
    expect(next.nonce).toBe(1n);
  });
});
