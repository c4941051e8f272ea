// Everything of local mode that needs Azurite's well-known ports (UseDevelopmentStorage=true): tide up
// starts Azurite in process when they are free, reuses an Azurite already there, refuses a stranger;
// and the demo (`npm start`) runs to the end. These take the shared default-ports lock in turn.
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEV_PORTS } from '../../src/scalers/azure-connection.js';
import { DevelopmentStorageError, ensureDevelopmentStorage } from '../../src/local/development-storage.js';
import { runDemo, summaryLines } from '../../scripts/demo.js';
import { withDefaultPorts } from '../helpers/default-ports.js';
import { startAzurite } from '../servers/azurite.js';
import { buildBundle } from './fixtures.js';

/** A plain TCP server on `port` answering like a web server that is not Azurite; close() drops its connections. */
function listen(port: number): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 200 OK\r\nServer: not-azurite\r\nContent-Length: 0\r\n\r\n');
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

describe("UseDevelopmentStorage=true in local mode (Azurite's default ports)", () => {
  it('starts Azurite in process when the ports are free, and stops it after', () =>
    withDefaultPorts(async () => {
      const storage = await ensureDevelopmentStorage(['AzureWebJobsStorage']);
      expect(storage.kind).toBe('embedded');
      if (storage.kind !== 'embedded') return;
      expect([storage.azurite.blobPort, storage.azurite.queuePort]).toEqual([DEV_PORTS.blob, DEV_PORTS.queue]);
      await storage.azurite.stop();
      // The ports are free again: a second run can start its own.
      const again = await ensureDevelopmentStorage(['AzureWebJobsStorage']);
      expect(again.kind).toBe('embedded');
      if (again.kind === 'embedded') await again.azurite.stop();
    }), 180_000);

  it('uses an Azurite that already runs there', () =>
    withDefaultPorts(async () => {
      const azurite = await startAzurite({ blob: DEV_PORTS.blob, queue: DEV_PORTS.queue });
      try {
        expect(await ensureDevelopmentStorage(['AzureWebJobsStorage'])).toEqual({ kind: 'existing', ports: [DEV_PORTS.blob, DEV_PORTS.queue] });
      } finally {
        await azurite.stop();
      }
    }), 180_000);

  it('refuses when something else listens on a port, naming it', () =>
    withDefaultPorts(async () => {
      const stranger = await listen(DEV_PORTS.queue);
      try {
        const error = await ensureDevelopmentStorage(['AzureWebJobsStorage']).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DevelopmentStorageError);
        expect((error as Error).message).toBe(
          `AzureWebJobsStorage is UseDevelopmentStorage=true, which means Azurite's queue service on port ${DEV_PORTS.queue}, but something else listens there: stop it, or set AzureWebJobsStorage to a storage connection string`,
        );
      } finally {
        await stranger.close();
      }
    }), 180_000);

  it('the demo (npm start) processes every message, scales past one replica and ends at zero', () =>
    withDefaultPorts(async () => {
      let output = '';
      const summary = await runDemo({ messages: 2000, mode: 'direct', timeoutSeconds: 170, write: (t) => (output += t), tty: false, env: { ...process.env, TIDE_HOST_BUNDLE: await buildBundle() } });
      expect(summary).toMatchObject({ sent: 2000, processed: 2000, lost: 0, finalReplicas: 0, finished: true });
      expect(summary.peakReplicas).toBeGreaterThan(1);
      expect(summary.timeToFirstReplicaSeconds).not.toBeNull();
      const lines = summaryLines(summary);
      expect(lines.slice(0, 3)).toEqual(['sent: 2000', 'processed: 2000', 'lost: 0']);
      expect(lines[3]).toMatch(/^peak replicas: ([2-9]|10)$/);
      expect(lines[4]).toMatch(/^time to first replica: \d+(\.\d)? s$/);
      expect(lines[5]).toMatch(/^time to peak: \d+(\.\d)? s$/);
      expect(lines[6]).toBe('final replicas: 0');
      expect(lines[7]).toMatch(/^in keda mode the same burst would reach peak \(\d+ replicas\) in \d+(\.\d+)? s after the first activity/);
      expect(output).toContain('started Azurite in process');
      expect(output).toMatch(/scaled 0 → \d+ at/);
    }), 240_000);
});
