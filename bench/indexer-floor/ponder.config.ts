// The indexer's own chain, contracts and database settings (bench/indexer.ts's floor run).
export { default } from "../../indexer/ponder.config.ts";
