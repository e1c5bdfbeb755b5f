#!/usr/bin/env node
// Runs the agent from its TypeScript sources through tsx, so the installed agent is exactly the source.
import { register } from "tsx/esm/api";
register();
await import("../src/main.ts");
