// Writes indexer/openapi.json: the indexer's OpenAPI document (indexer/src/api/openapi.ts), checked in so
// clients can be generated without running the indexer. CI fails when it is stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openapi } from "../indexer/src/api/openapi.ts";

const file = join(import.meta.dirname, "../indexer/openapi.json");
writeFileSync(file, `${JSON.stringify(openapi, null, 2)}\n`);
console.log(`wrote ${file}`);
