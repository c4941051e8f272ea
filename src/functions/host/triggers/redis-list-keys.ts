// The keys and server-side scripts of redisListTrigger's at-least-once scheme (see redis-list-trigger.ts).
// The scripts run atomically on the server, so a crash between two steps cannot drop or duplicate an entry.

/** The keys one instance uses around the source list `key`. */
export interface ListKeys {
  readonly processing: string;
  readonly alive: string;
  readonly attempts: string;
  readonly poison: string;
}

/** Key names for source list `key` and instance `instanceId`. */
export function listKeys(key: string, instanceId: string): ListKeys {
  return {
    processing: `${key}:processing:${instanceId}`,
    alive: `${key}:alive:${instanceId}`,
    attempts: `${key}:attempts`,
    poison: `${key}:poison`,
  };
}

/** SCAN pattern matching every instance's processing list of `key` (glob characters in the key escaped). */
export function scanPattern(key: string): string {
  return `${key.replace(/[*?[\]\\]/g, '\\$&')}:processing:*`;
}

/**
 * KEYS: processing, source[, alive]; ARGV: direction. Unless the alive key exists, moves every entry back
 * to the end of the source list entries are taken from, oldest nearest that end (taking from the tail of
 * the processing list and pushing to the pop end restores the original order). Returns the count, -1 when alive.
 */
export const RECOVER_SCRIPT = `
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', ARGV[1]) do n = n + 1 end
return n
`;

/**
 * KEYS: processing, source, attempts, poison; ARGV: entry, max attempts, push command (RPUSH|LPUSH).
 * Takes the entry out of the processing list, counts the attempt, and pushes it back to the source
 * (returns the count) or, at the limit, to the poison list (returns 0). -1: the entry was no longer
 * there (another instance recovered it), nothing done.
 */
export const FAIL_SCRIPT = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return -1 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
if n >= tonumber(ARGV[2]) then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('RPUSH', KEYS[4], ARGV[1])
  return 0
end
redis.call(ARGV[3], KEYS[2], ARGV[1])
return n
`;
