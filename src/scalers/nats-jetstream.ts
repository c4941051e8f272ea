// nats-jetstream: scale on a JetStream consumer's backlog (num_pending + num_ack_pending), read from
// the server's HTTP monitoring endpoint /jsz.

import { defineScaler, issue } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';

/** Parsed nats-jetstream parameters. */
export interface NatsJetStreamParams {
  readonly account: string | undefined;
  /** accountID, or account when no ID is given (KEDA matches either). */
  readonly accountID: string;
  readonly stream: string;
  readonly consumer: string;
  readonly lagThreshold: number;
  readonly activationLagThreshold: number;
  /** `http(s)://<endpoint>/jsz?acc=<id>&config=true&consumers=true`. */
  readonly monitoringURL: string;
}

interface ConsumerDetail {
  readonly name?: string;
  readonly num_pending?: number;
  readonly num_ack_pending?: number;
}
interface StreamDetail {
  readonly name?: string;
  readonly consumer_detail?: readonly ConsumerDetail[];
}
interface AccountDetail {
  readonly id?: string;
  readonly name?: string;
  readonly stream_detail?: readonly StreamDetail[];
}
/** The part of a /jsz answer the scaler reads. */
export interface JszResponse {
  readonly account_details?: readonly AccountDetail[];
}

/** KEDA's monitoring URL (query keys in Go's sorted url.Values order). */
export function natsMonitoringURL(endpoint: string, accountID: string, useHttps: boolean): string {
  const query = new URLSearchParams({ acc: accountID, config: 'true', consumers: 'true' });
  return `${useHttps ? 'https' : 'http'}://${endpoint}/jsz?${query.toString()}`;
}

/** The consumer's backlog in a /jsz answer, or an Error naming the account, stream or consumer that is missing. */
export function consumerLag(jsz: JszResponse, p: Pick<NatsJetStreamParams, 'account' | 'accountID' | 'stream' | 'consumer'>): number | Error {
  const account = jsz.account_details?.find((a) => a.id === p.accountID || (p.account !== undefined && a.name === p.account));
  if (!account) return new Error(`account "${p.account ?? p.accountID}" has no JetStream data on this server`);
  const stream = account.stream_detail?.find((s) => s.name === p.stream);
  if (!stream) return new Error(`stream "${p.stream}" not found in account "${p.account ?? p.accountID}"`);
  const consumer = stream.consumer_detail?.find((c) => c.name === p.consumer);
  if (!consumer) return new Error(`consumer "${p.consumer}" not found on stream "${p.stream}"`);
  return (consumer.num_pending ?? 0) + (consumer.num_ack_pending ?? 0);
}

/** The nats-jetstream scaler declaration. */
export const natsJetStream = defineScaler({
  type: 'nats-jetstream',
  params: {
    natsServerMonitoringEndpoint: param.string().required().from('authParams', 'metadata'),
    account: param.string().from('authParams', 'metadata'),
    accountID: param.string().from('authParams', 'metadata'),
    stream: param.string().required(),
    consumer: param.string().required(),
    lagThreshold: param.int().default(10),
    activationLagThreshold: param.int().default(0),
    useHttps: param.bool().default(false),
  },
  rules: (rule) => [rule(['account', 'accountID'], (p) => !p.account && !p.accountID && issue('account', 'required: set account or accountID (metadata or TriggerAuthentication)'))],
  derive: (p): NatsJetStreamParams => {
    const accountID = p.accountID ?? p.account ?? '';
    return {
      account: p.account,
      accountID,
      stream: p.stream,
      consumer: p.consumer,
      lagThreshold: p.lagThreshold,
      activationLagThreshold: p.activationLagThreshold,
      monitoringURL: natsMonitoringURL(p.natsServerMonitoringEndpoint, accountID, p.useHttps),
    };
  },
  metricName: (p) => `nats-jetstream-${p.stream}`,
  target: (p) => ({ value: milliFromInt(p.lagThreshold), activation: milliFromInt(p.activationLagThreshold) }),
  // No client to open: connecting is one request, so an unreachable server is reported as such.
  async connect(p, ctx) {
    await fetchJsz(p.monitoringURL, ctx.signal);
  },
  async read(_connection, p, ctx) {
    const lag = consumerLag(await fetchJsz(p.monitoringURL, ctx.signal), p);
    if (lag instanceof Error) throw lag;
    return { value: lag, active: lag > p.activationLagThreshold };
  },
});

async function fetchJsz(url: string, signal: AbortSignal): Promise<JszResponse> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw new Error(`unable to access the NATS monitoring endpoint ${url}: ${causeOf(error)}`);
  }
  if (!response.ok) throw new Error(`NATS monitoring endpoint ${url} answered ${response.status}`);
  try {
    return (await response.json()) as JszResponse;
  } catch {
    throw new Error(`NATS monitoring endpoint ${url} did not answer JSON`);
  }
}

// fetch's own message is only "fetch failed"; the reason (ECONNREFUSED, …) is in its cause.
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
