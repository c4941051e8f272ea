// The machine's Redis (127.0.0.1:6379, no password): random key names per test, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_ADDRESS = '127.0.0.1:6379';

/** A key name no other run uses. */
export function randomKey(prefix = 'tide-test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A client on the machine's Redis that remembers the keys it was told about and deletes them on close. */
export class RedisFixture {
  private readonly keys: { db: number; key: string }[] = [];
  private readonly clients = new Map<number, Redis>();

  /** The client of database `db` (0 unless told). */
  db(db = 0): Redis {
    let client = this.clients.get(db);
    if (!client) {
      client = new Redis({ host: '127.0.0.1', port: 6379, db, lazyConnect: false, maxRetriesPerRequest: 1 });
      this.clients.set(db, client);
    }
    return client;
  }

  /** A fresh key name in `db`, deleted on close. */
  key(db = 0, prefix?: string): string {
    const key = randomKey(prefix);
    this.keys.push({ db, key });
    return key;
  }

  /** Deletes the keys and closes the clients. */
  async close(): Promise<void> {
    for (const { db, key } of this.keys) await this.db(db).del(key);
    for (const client of this.clients.values()) await client.quit();
  }
}

/** A TCP server that accepts connections and never answers (a hung server), on a free loopback port. */
export class SilentServer {
  private readonly sockets: Socket[] = [];
  private readonly server: Server = createServer((socket) => {
    this.sockets.push(socket);
  });

  /** Starts listening; resolves to the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return (this.server.address() as { port: number }).port;
  }

  /** Drops the held connections and stops listening. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
