// Stream replies (XREADGROUP, XCLAIM, XPENDING) turned into entries, and an entry into the trigger event.
// The value is the JSON the Node samples of the Redis extension read: `{Id, Values: {field: value}}`.

import type { RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** One stream entry and how often it has been delivered (1 = first delivery). */
export interface StreamEntry {
  readonly id: string;
  readonly values: Readonly<Record<string, string>>;
  readonly deliveries: number;
}

/** One XPENDING row. */
export interface PendingEntry {
  readonly id: string;
  readonly consumer: string;
  readonly deliveries: number;
}

/**
 * Entries of an XREADGROUP reply (`[[key, [[id, fields], …]]]`, or null) or, with the same call, of an
 * XCLAIM reply (`[[id, fields], …]`); deleted entries (null fields) are left out.
 */
export function parseEntries(reply: unknown, deliveries: number): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  const isReadReply = Array.isArray(first) && typeof first[0] === 'string' && Array.isArray(first[1]) && (first[1] as unknown[]).every((x) => Array.isArray(x));
  const rows: unknown[] = isReadReply ? reply.flatMap((stream) => (Array.isArray(stream) && Array.isArray(stream[1]) ? (stream[1] as unknown[]) : [])) : reply;
  const entries: StreamEntry[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || !Array.isArray(row[1])) continue;
    entries.push({ id: row[0], values: fieldMap(row[1] as unknown[]), deliveries });
  }
  return entries;
}

function fieldMap(flat: readonly unknown[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) values[String(flat[i])] = String(flat[i + 1]);
  return values;
}

/** Rows of an extended XPENDING reply (`[[id, consumer, idleMs, deliveries], …]`). */
export function parsePending(reply: unknown): PendingEntry[] {
  if (!Array.isArray(reply)) return [];
  const rows: PendingEntry[] = [];
  for (const row of reply) {
    if (!Array.isArray(row) || typeof row[0] !== 'string') continue;
    rows.push({ id: row[0], consumer: String(row[1]), deliveries: Number(row[3]) });
  }
  return rows;
}

/** The trigger event of an entry: JSON `{Id, Values}`, metadata Key and Id, a retry context from the second delivery on. */
export function streamEvent(key: string, entry: StreamEntry, maxDeliveryCount: number): TriggerEvent {
  const value: RpcTypedData = { json: JSON.stringify({ Id: entry.id, Values: entry.values }) };
  const metadata = { Key: { string: key }, Id: { string: entry.id } };
  if (entry.deliveries <= 1) return { value, metadata };
  return { value, metadata, retryContext: { retryCount: entry.deliveries - 1, maxRetryCount: maxDeliveryCount - 1 } };
}
