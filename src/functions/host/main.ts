// Entry of the self-contained runtime bundle (dist/runtime/tide-host.mjs) that a function app image
// runs: the container host and nothing else — no operator, no CLI.
import { createLogger, type LogLevel } from '../../telemetry/logger.js';
import { containerListen, runHostUntilSignal } from './entry.js';
import { HostStartError } from './host.js';

const env = process.env;
// Local mode (`tide up`) runs HTTP functions like `func start`: keys unchecked unless asked for.
const authEnabled = env.TIDE_AUTH_ENABLED?.toLowerCase() !== 'false';
const log = createLogger({ level: (env.TIDE_LOG_LEVEL ?? 'info') as LogLevel, name: 'tide-host' });
try {
  process.exitCode = await runHostUntilSignal(
    { scriptRoot: env.AzureWebJobsScriptRoot ?? '/home/site/wwwroot', env, localSettings: false, ...containerListen(env), address: '0.0.0.0', authEnabled, log },
    (line) => {
      process.stderr.write(`${line}\n`);
    },
    log,
  );
} catch (error) {
  if (!(error instanceof HostStartError)) throw error;
  process.stderr.write(`tide host: cannot start the host:\n${error.message}\n`);
  process.exitCode = 1;
}
