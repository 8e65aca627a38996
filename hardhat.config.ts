import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

// Compile offline with the npm `solc` package's wasm build; its version must equal SOLC_VERSION
// (checked here so a mismatched install fails loudly instead of compiling with the wrong compiler).
const SOLC_VERSION = "0.8.30";
const require = createRequire(import.meta.url);
const solcPackageVersion: string = require("solc/package.json").version;
if (solcPackageVersion !== SOLC_VERSION) {
  throw new Error(
    `hardhat.config.ts: npm package solc is ${solcPackageVersion}, the configured compiler is ${SOLC_VERSION}; install solc@${SOLC_VERSION}`,
  );
}

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: true,
      evmVersion: "prague",
    },
  },
  paths: {
    sources: "contracts",
    tests: { solidity: "contracts/test" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    // The local devnet's chain (`hardhat node --network devnet`): a block every second, like a real chain.
    devnet: { type: "edr-simulated", chainType: "l1", mining: { auto: false, interval: 1000 } },
    localhost: { type: "http", url: process.env.ARTHA_RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
