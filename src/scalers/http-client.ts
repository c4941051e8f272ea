// The HTTP client of the HTTP-based scalers (prometheus, metrics-api): one keep-alive agent per trigger
// so polls reuse the connection, TLS options (unsafeSsl, client certificates, a private CA), KEDA's
// authModes applied to every request, a deadline per request, and errors that never carry a secret.

import http from 'node:http';
import https from 'node:https';
import { authHeaders, withApiKeyQuery, type HttpAuth } from './auth-modes.js';

/** How a trigger's HTTP client talks to its server. */
export interface HttpClientOptions {
  /** Skip verification of the server's certificate (KEDA's unsafeSsl). */
  readonly unsafeSsl: boolean;
  readonly auth: HttpAuth;
}

/** An HTTP response with its whole body as text. */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** What one GET needs besides the URL. */
export interface GetOptions {
  readonly signal: AbortSignal;
  /** Deadline of this request in milliseconds. */
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Largest body read from a metrics endpoint; more is almost certainly the wrong URL. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A trigger's HTTP client: keep-alive agents, TLS and auth fixed at connect, one GET per poll. */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private token: { readonly value: string; readonly expiresAt: number } | undefined;

  constructor(private readonly options: HttpClientOptions) {
    const { auth } = options;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const useClientCert = auth.authModes.includes('tls');
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      rejectUnauthorized: !options.unsafeSsl,
      ...(auth.ca !== undefined ? { ca: auth.ca } : {}),
      ...(useClientCert && auth.cert !== undefined ? { cert: auth.cert } : {}),
      ...(useClientCert && auth.key !== undefined ? { key: auth.key } : {}),
    });
  }

  /** GETs a URL with the trigger's auth; resolves for every HTTP status, rejects on network errors and timeouts. */
  async get(url: string, options: GetOptions): Promise<HttpResponse> {
    const target = new URL(withApiKeyQuery(url, this.options.auth));
    const headers = { ...options.headers, ...authHeaders(this.options.auth) };
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = AbortSignal.any([options.signal, deadline]);
    try {
      if (this.options.auth.authModes.includes('oauth')) headers.authorization = `Bearer ${await this.oauthToken(signal)}`;
      return await this.request(target, 'GET', headers, undefined, signal);
    } catch (error) {
      if (deadline.aborted) throw new Error(`GET ${describeUrl(target)}: no answer within ${options.timeoutMs} ms`);
      if (signal.aborted) throw new Error(`GET ${describeUrl(target)}: cancelled`);
      throw new Error(`GET ${describeUrl(target)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** A client-credentials access token (RFC 6749 §4.4), reused until shortly before it expires. */
  private async oauthToken(signal: AbortSignal): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const { oauthTokenURI, clientID, clientSecret, scopes, endpointParams } = this.options.auth;
    if (oauthTokenURI === undefined || clientID === undefined || clientSecret === undefined) throw new Error('authModes oauth needs oauthTokenURI, clientID and clientSecret');
    const form = new URLSearchParams(endpointParams ?? '');
    form.set('grant_type', 'client_credentials');
    if (scopes && scopes.length > 0) form.set('scope', scopes.join(' '));
    const target = new URL(oauthTokenURI);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    };
    const response = await this.request(target, 'POST', headers, form.toString(), signal);
    const parsed = parseTokenResponse(response);
    if (typeof parsed === 'string') throw new Error(`oauth token from ${describeUrl(target)}: ${parsed}`);
    // Renew a little early so a token never expires in flight.
    this.token = { value: parsed.token, expiresAt: Date.now() + Math.max(0, parsed.expiresInS - 10) * 1000 };
    return parsed.token;
  }

  private request(target: URL, method: 'GET' | 'POST', headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<HttpResponse> {
    const secure = target.protocol === 'https:';
    const send = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(target, { method, headers, agent: secure ? this.httpsAgent : this.httpAgent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`response larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Scheme, host and path of a URL: never its query (an apiKey may ride there) nor user info. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The access token and its lifetime from a token endpoint's answer, or why there is none. */
export function parseTokenResponse(response: HttpResponse): { token: string; expiresInS: number } | string {
  if (response.status !== 200) return `HTTP ${response.status}`;
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return 'the answer is not JSON';
  }
  if (typeof json !== 'object' || json === null) return 'the answer is not a JSON object';
  const { access_token: token, expires_in: expiresIn } = json as { access_token?: unknown; expires_in?: unknown };
  if (typeof token !== 'string' || token === '') return 'the answer has no access_token';
  // Without expires_in the token is kept for an hour, then fetched again.
  return { token, expiresInS: typeof expiresIn === 'number' ? expiresIn : Number(expiresIn ?? 3600) || 3600 };
}
