// Long-running commands (operator, metrics-server, webhooks, dev apiserver, up) stop on Ctrl-C or
// SIGTERM: one helper so they all stop the same way.

/** Resolves with the signal's name on the first SIGINT or SIGTERM (or 'SIGTERM' when `abort` fires, for tests). */
export function untilSignal(abort?: AbortSignal): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (name: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(name);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    abort?.addEventListener('abort', () => {
      stop('SIGTERM');
    });
  });
}
