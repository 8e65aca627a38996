// Ponder requires an API; the floor run serves only its own /health, /ready and /status.
import { Hono } from "hono";

export default new Hono();
