// `tide` from the TypeScript sources, for tests that need a real process (signals, exit codes):
// node --import tsx test/helpers/tide.ts <command> …
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
