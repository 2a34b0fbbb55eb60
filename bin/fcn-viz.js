#!/usr/bin/env node
// The CLI lives in src/cli.ts, compiled to dist/ by `npm run build` (run by `npm install`).
import { main } from "../dist/src/cli.js";

process.exitCode = await main(process.argv.slice(2));
