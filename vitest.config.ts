import { defineConfig } from "vitest/config";

// One vitest run covers every workspace; tests live beside the code they test (`*.test.ts`).
// Chain, Docker and libp2p tests are slow by nature: generous timeouts, files run one at a time on
// this 2-core machine so a Hardhat node and containers do not starve each other.
export default defineConfig({
  test: {
    include: ["{sdk,node-agent,indexer,runtimes,test,scripts}/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
