// The indexer's own tables, so the floor run creates what the real one does.
export * from "../../indexer/ponder.schema.ts";
