// The slice of the Service Bus management API (ATOM/XML over HTTPS) the azure-servicebus scaler needs:
// active message counts of one queue or subscription, and of every queue / subscription of a topic.
// A GET of an entity that does not exist answers 200 with an empty feed instead of 404 (the Azure
// SDKs special-case it), so both count as "missing".

import type { XMLParser } from 'fast-xml-parser';
import { managementBaseUrl, sasTokenFor, type SbConnection } from './azure-sas.js';
import { loadFastXmlParser } from './client-libraries.js';

/** The management API version the Azure SDKs send. */
export const SB_API_VERSION = '2021-05';
const PAGE_SIZE = 100;

/** One entity's name and active message count. */
export interface EntityCount {
  readonly name: string;
  readonly active: number;
}

let xml: XMLParser | undefined;

function xmlParser(): XMLParser {
  return (xml ??= new (loadFastXmlParser().XMLParser)({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'entry' }));
}

type XmlNode = Record<string, unknown>;

function child(node: unknown, name: string): unknown {
  return typeof node === 'object' && node !== null ? (node as XmlNode)[name] : undefined;
}

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  const inner = child(node, '#text');
  return typeof inner === 'string' ? inner : undefined;
}

/** ActiveMessageCount of a QueueDescription / SubscriptionDescription inside an ATOM entry. */
function activeCount(entry: unknown, description: string): number {
  const count = text(child(child(child(child(entry, 'content'), description), 'CountDetails'), 'ActiveMessageCount'));
  const value = count === undefined ? NaN : Number(count);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`the management API answered a ${description} without CountDetails/ActiveMessageCount`);
  return value;
}

export class ServiceBusAdmin {
  private readonly base: string;

  constructor(private readonly conn: SbConnection) {
    this.base = managementBaseUrl(conn);
  }

  /** Active messages of a queue; undefined when the queue does not exist. */
  async queue(name: string, now: number, signal: AbortSignal): Promise<number | undefined> {
    const entry = await this.getEntry(encodeURIComponent(name), now, signal);
    return entry === undefined ? undefined : activeCount(entry, 'QueueDescription');
  }

  /** Active messages of a topic's subscription; undefined when it does not exist. */
  async subscription(topic: string, subscription: string, now: number, signal: AbortSignal): Promise<number | undefined> {
    const entry = await this.getEntry(`${encodeURIComponent(topic)}/Subscriptions/${encodeURIComponent(subscription)}`, now, signal);
    return entry === undefined ? undefined : activeCount(entry, 'SubscriptionDescription');
  }

  /** Every queue of the namespace with its active count. */
  queues(now: number, signal: AbortSignal): Promise<EntityCount[]> {
    return this.list('$Resources/queues', 'QueueDescription', now, signal);
  }

  /** Every subscription of a topic with its active count. */
  subscriptions(topic: string, now: number, signal: AbortSignal): Promise<EntityCount[]> {
    return this.list(`${encodeURIComponent(topic)}/Subscriptions`, 'SubscriptionDescription', now, signal);
  }

  private async list(path: string, description: string, now: number, signal: AbortSignal): Promise<EntityCount[]> {
    const found: EntityCount[] = [];
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const doc = await this.get(`${path}?$skip=${skip}&$top=${PAGE_SIZE}&`, now, signal);
      const entries = child(child(doc, 'feed'), 'entry');
      const page = Array.isArray(entries) ? (entries as unknown[]) : [];
      for (const entry of page) found.push({ name: text(child(entry, 'title')) ?? '', active: activeCount(entry, description) });
      if (page.length < PAGE_SIZE) return found;
    }
  }

  private async getEntry(path: string, now: number, signal: AbortSignal): Promise<unknown> {
    const doc = await this.get(`${path}?`, now, signal);
    return child(doc, 'entry') === undefined ? undefined : (child(doc, 'entry') as unknown[])[0];
  }

  /** GET `<base><pathAndQuery>api-version=…`; a 404 reads as an empty document. */
  private async get(pathAndQuery: string, now: number, signal: AbortSignal): Promise<unknown> {
    const url = `${this.base}${pathAndQuery}api-version=${SB_API_VERSION}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { headers: { authorization: sasTokenFor(this.conn, url, now) }, signal });
      body = await response.text();
    } catch (error) {
      throw new Error(`cannot reach the Service Bus namespace ${this.conn.host}: ${causeOf(error)}`);
    }
    if (response.status === 404) return {};
    if (!response.ok) throw new Error(`the Service Bus management API answered ${response.status}${errorDetail(body)}`);
    try {
      return xmlParser().parse(body) as unknown;
    } catch {
      throw new Error('the Service Bus management API answered something that is not XML');
    }
  }
}

function errorDetail(body: string): string {
  try {
    const detail = text(child(child(xmlParser().parse(body), 'Error'), 'Detail'));
    // The service echoes tracking ids and sometimes the token's audience, never the key; keep it short anyway.
    return detail === undefined ? '' : `: ${detail.slice(0, 300)}`;
  } catch {
    return '';
  }
}

/** fetch() reports `fetch failed` with the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}
