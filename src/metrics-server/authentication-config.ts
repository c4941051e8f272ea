// What an aggregated API server learns from the ConfigMap kube-system/extension-apiserver-authentication,
// which kube-apiserver keeps current: the front-proxy CA and its allowed names and header names
// (requestheader-*), and the cluster's client CA (client-ca-file). Read at start and again every
// `refreshMs`, so a rotated CA is picked up as k8s.io/apiserver's dynamic CA controllers pick it up; a
// failed re-read keeps the last good configuration.
import type { X509Certificate } from 'node:crypto';
import { KubeApiError } from '../kube/errors.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { parseCertificates } from './client-certificates.js';

export const AUTHENTICATION_CONFIGMAP_PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';
const WHERE = 'ConfigMap kube-system/extension-apiserver-authentication';

/** The part of the Kubernetes client these checks use (KubeApi has it). */
export interface KubeRequester {
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

export interface RequestHeaderConfig {
  readonly cas: readonly X509Certificate[];
  /** Common names a front-proxy certificate may carry; empty: any the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

export interface AuthenticationConfig {
  readonly requestHeader?: RequestHeaderConfig;
  readonly clientCas?: readonly X509Certificate[];
}

/** A key of the ConfigMap that cannot be used, named with where it came from. */
export class AuthenticationConfigError extends Error {}

function stringList(data: Record<string, unknown>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    if (typeof raw !== 'string') throw new Error('not a string');
    parsed = JSON.parse(raw);
  } catch {
    throw new AuthenticationConfigError(`${WHERE}: ${key} must be a JSON array of strings`);
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new AuthenticationConfigError(`${WHERE}: ${key} must be a JSON array of strings`);
  return parsed;
}

function certificates(data: Record<string, unknown>, key: string): X509Certificate[] | undefined {
  const pem = data[key];
  if (typeof pem !== 'string' || pem.trim() === '') return undefined;
  let cas: X509Certificate[];
  try {
    cas = parseCertificates(pem);
  } catch (error) {
    throw new AuthenticationConfigError(`${WHERE}: ${key} holds a certificate that cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (cas.length === 0) throw new AuthenticationConfigError(`${WHERE}: ${key} holds no PEM certificate`);
  return cas;
}

/** The configuration in a ConfigMap's data; throws AuthenticationConfigError naming the bad key. */
export function parseAuthenticationConfigMap(data: Record<string, unknown>): AuthenticationConfig {
  const requestHeaderCas = certificates(data, 'requestheader-client-ca-file');
  const clientCas = certificates(data, 'client-ca-file');
  const usernameHeaders = stringList(data, 'requestheader-username-headers');
  const requestHeader: RequestHeaderConfig | undefined = requestHeaderCas === undefined || usernameHeaders.length === 0 ? undefined : {
    cas: requestHeaderCas,
    allowedNames: stringList(data, 'requestheader-allowed-names'),
    usernameHeaders,
    groupHeaders: stringList(data, 'requestheader-group-headers'),
    extraHeaderPrefixes: stringList(data, 'requestheader-extra-headers-prefix'),
  };
  return { ...(requestHeader === undefined ? {} : { requestHeader }), ...(clientCas === undefined ? {} : { clientCas }) };
}

export interface AuthenticationConfigSourceOptions {
  readonly api: KubeRequester;
  /** Default 10 s. */
  readonly refreshMs?: number;
  readonly log?: Logger;
}

/** The current configuration, re-read in the background. */
export class AuthenticationConfigSource {
  private config: AuthenticationConfig = {};
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly options: AuthenticationConfigSourceOptions) {
    this.log = options.log ?? silentLogger;
  }

  current(): AuthenticationConfig {
    return this.config;
  }

  /** Reads the ConfigMap now; a missing ConfigMap is an empty configuration (as k8s.io/apiserver treats it). */
  async refresh(): Promise<AuthenticationConfig> {
    let data: Record<string, unknown> = {};
    try {
      const cm = (await this.options.api.request('GET', AUTHENTICATION_CONFIGMAP_PATH)) as { data?: Record<string, unknown> };
      data = cm.data ?? {};
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
      this.log.warn(`${WHERE} not found: front-proxy and client-certificate authentication are off until it exists`);
    }
    this.config = parseAuthenticationConfigMap(data);
    return this.config;
  }

  /** A re-read every refreshMs, and the first read now (throws what went wrong; the re-reads go on until stop()). */
  async start(): Promise<void> {
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        this.log.warn('cannot re-read the authentication configuration; keeping the last one', { error: error instanceof Error ? error.message : String(error) });
      });
    }, this.options.refreshMs ?? 10_000);
    this.timer.unref();
    await this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
