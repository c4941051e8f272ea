#!/usr/bin/env node
// The one `tide` entry point: runs the compiled CLI (npm run build, which `npm ci` does via prepare).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
