// The operator's certificate rotation (--enable-cert-rotation), as KEDA runs open-policy-agent's
// cert-controller: while this replica leads, keep the kedaorg-certs Secret holding a valid CA and
// serving certificate (issued when missing, unusable or due), and keep that CA in the caBundle of the
// APIService v1beta1.external.metrics.k8s.io and of every webhook of the ValidatingWebhookConfiguration
// keda-admission, so the API server trusts the adapter and the webhooks. It looks again every 12 hours
// and whenever the Secret or one of those objects changes, so a `kubectl apply` that drops caBundle is
// repaired at once. A missing object is waited for (webhooks may be disabled), never a crash. Logs name
// objects and dates only, never key material.
import { X509Certificate } from 'node:crypto';
import { isConflict, isNotFound, type KubeApi, type KubeObject } from '../kube/api.js';
import { caBundle } from '../kube/certificates/issue.js';
import type { Renewal } from '../kube/certificates/rotation.js';
import { CERTS_SECRET_NAME, ensureCertificates } from '../kube/certificates/secret.js';
import { RECHECK_MS } from '../kube/certificates/serving-source.js';
import { Informer } from '../kube/informer.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';

/** KEDA's names (APIServiceName, --validating-webhook-name). */
export const API_SERVICE_NAME = 'v1beta1.external.metrics.k8s.io';
export const VALIDATING_WEBHOOK_NAME = 'keda-admission';

const API_SERVICE = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService' } as const;
const WEBHOOK_CONFIG = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration' } as const;
const CONFLICT_ATTEMPTS = 5;

export interface CertificateControllerOptions {
  readonly api: KubeApi;
  /** The operator's namespace (POD_NAMESPACE), where the Secret lives. */
  readonly namespace: string;
  /** --cert-secret-name (kedaorg-certs). */
  readonly secretName?: string;
  /** Names the serving certificate must carry. */
  readonly dnsNames: readonly string[];
  readonly apiServiceName?: string;
  /** --validating-webhook-name; undefined when --enable-webhook-patching=false. */
  readonly validatingWebhookName?: string | undefined;
  readonly now?: () => Date;
  readonly log?: Logger;
  /** The periodic re-check (cert-controller: 12 h). */
  readonly recheckMs?: number;
  /** Next attempt after a failure or while an object is missing; default 30 s. */
  readonly retryMs?: number;
  readonly caLifetimeMs?: number;
  readonly servingLifetimeMs?: number;
}

/** What a pass did to one object. */
export type CaBundleState = 'patched' | 'current' | 'missing';

export interface CertificateSyncReport {
  /** What was issued again (undefined: the Secret was good). */
  readonly renewed: Renewal;
  readonly apiService: CaBundleState;
  readonly validatingWebhook: CaBundleState | 'disabled';
}

interface Webhook { clientConfig?: { caBundle?: unknown; [key: string]: unknown }; [key: string]: unknown }

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class CertificateController {
  private readonly log: Logger;
  private readonly secretName: string;
  private readonly apiServiceName: string;
  private readonly informers: Informer[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private requested = false;
  private stopped = true;
  private recheckTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly reportedMissing = new Set<string>();
  /** Passes completed, for tests and logs. */
  passes = 0;
  /** The last pass's report. */
  last: CertificateSyncReport | undefined;

  constructor(private readonly options: CertificateControllerOptions) {
    this.log = options.log ?? silentLogger;
    this.secretName = options.secretName ?? CERTS_SECRET_NAME;
    this.apiServiceName = options.apiServiceName ?? API_SERVICE_NAME;
  }

  /** Starts watching and runs the first pass (called when this replica starts leading). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { api, namespace, validatingWebhookName } = this.options;
    const onError = (what: string) => (error: unknown): void => { this.log.warn(`certificate rotation: watch of ${what} failed; retrying`, { error: message(error) }); };
    const watchOne = (informer: Informer, name: string): void => {
      informer.onChange((_type, object) => { if (object.metadata.name === name) this.request(); });
      this.informers.push(informer);
    };
    watchOne(new Informer(api, { ...API_SERVICE, onError: onError('APIServices') }), this.apiServiceName);
    if (validatingWebhookName !== undefined) watchOne(new Informer(api, { ...WEBHOOK_CONFIG, onError: onError('ValidatingWebhookConfigurations') }), validatingWebhookName);
    // Only names matter here: keep no Secret data (keys) in the cache.
    const metadataOnly = (object: KubeObject): KubeObject => ({ metadata: object.metadata });
    watchOne(new Informer(api, { apiVersion: 'v1', kind: 'Secret', namespace, transform: metadataOnly, onError: onError('Secrets') }), this.secretName);
    for (const informer of this.informers) informer.start();
    this.recheckTimer = setInterval(() => { this.request(); }, this.options.recheckMs ?? RECHECK_MS);
    this.recheckTimer.unref();
    this.log.info('certificate rotation started', {
      secret: `${namespace}/${this.secretName}`, apiService: this.apiServiceName, validatingWebhookConfiguration: validatingWebhookName ?? '(patching disabled)',
    });
    this.request();
  }

  /** Stops watching; resolves once a running pass is done. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const informer of this.informers.splice(0)) informer.stop();
    clearInterval(this.recheckTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.tail;
  }

  /** One pass now, after any running one: ensure the Secret, then patch every caBundle that differs. */
  sync(): Promise<CertificateSyncReport> {
    const run = this.tail.then(() => this.pass());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Coalesces a burst of events (our own patches echo back too) into one pass. */
  private request(): void {
    if (this.requested || this.stopped) return;
    this.requested = true;
    void this.tail.then(() => {
      this.requested = false;
      if (this.stopped) return;
      this.sync().then((report) => {
        if (report.apiService === 'missing' || report.validatingWebhook === 'missing') this.retryLater();
      }, (error: unknown) => {
        this.log.warn('certificate rotation failed; retrying', { error: message(error) });
        this.retryLater();
      });
    });
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.request();
    }, this.options.retryMs ?? 30_000);
    this.retryTimer.unref();
  }

  private async pass(): Promise<CertificateSyncReport> {
    const { api, namespace, dnsNames } = this.options;
    const { bundle, renewed } = await ensureCertificates(api, {
      namespace, secretName: this.secretName, dnsNames, now: this.options.now ?? (() => new Date()),
      ...(this.options.caLifetimeMs !== undefined ? { caLifetimeMs: this.options.caLifetimeMs } : {}),
      ...(this.options.servingLifetimeMs !== undefined ? { servingLifetimeMs: this.options.servingLifetimeMs } : {}),
    });
    if (renewed !== undefined) {
      this.log.info(renewed === 'all' ? 'issued a new CA and serving certificate' : 'renewed the serving certificate', {
        secret: `${namespace}/${this.secretName}`, servingNotAfter: new X509Certificate(bundle.tlsCert).validTo, caNotAfter: new X509Certificate(bundle.caCert).validTo,
      });
    }
    const wanted = caBundle(bundle);
    const apiService = this.noteMissing(`APIService ${this.apiServiceName}`, await this.patchApiService(wanted));
    const name = this.options.validatingWebhookName;
    const validatingWebhook = name === undefined ? 'disabled' : this.noteMissing(`ValidatingWebhookConfiguration ${name}`, await this.patchWebhooks(name, wanted));
    this.passes++;
    this.last = { renewed, apiService, validatingWebhook };
    return this.last;
  }

  /** Logs when an object goes missing or comes back, once each, not on every retry. */
  private noteMissing(what: string, state: CaBundleState): CaBundleState {
    if (state === 'missing' && !this.reportedMissing.has(what)) {
      this.reportedMissing.add(what);
      this.log.warn(`${what} not found; its caBundle will be set once it exists`);
    } else if (state !== 'missing' && this.reportedMissing.delete(what)) {
      this.log.info(`${what} found`);
    }
    return state;
  }

  /** spec.caBundle by JSON merge patch, conditional on the resourceVersion read. */
  private async patchApiService(wanted: string): Promise<CaBundleState> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.options.api.get(API_SERVICE.apiVersion, API_SERVICE.kind, undefined, this.apiServiceName);
      if (current === undefined) return 'missing';
      if ((current['spec'] as { caBundle?: unknown } | undefined)?.caBundle === wanted) return 'current';
      try {
        await this.options.api.mergePatch(API_SERVICE.apiVersion, API_SERVICE.kind, undefined, this.apiServiceName, {
          metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { caBundle: wanted },
        });
        this.log.info('set caBundle', { apiService: this.apiServiceName });
        return 'patched';
      } catch (error) {
        if (isNotFound(error)) return 'missing';
        if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  /** webhooks[].clientConfig.caBundle: read, change the ones that differ, update with the resourceVersion as precondition. */
  private async patchWebhooks(name: string, wanted: string): Promise<CaBundleState> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.options.api.get(WEBHOOK_CONFIG.apiVersion, WEBHOOK_CONFIG.kind, undefined, name);
      if (current === undefined) return 'missing';
      const webhooks = Array.isArray(current['webhooks']) ? (current['webhooks'] as Webhook[]) : [];
      const stale = webhooks.filter((w) => w.clientConfig?.caBundle !== wanted).map((w) => String(w['name']));
      if (stale.length === 0) return 'current';
      const next: KubeObject = {
        ...current, ...WEBHOOK_CONFIG,
        webhooks: webhooks.map((w) => (w.clientConfig?.caBundle === wanted ? w : { ...w, clientConfig: { ...w.clientConfig, caBundle: wanted } })),
      };
      try {
        await this.options.api.replace(next);
        this.log.info('set caBundle', { validatingWebhookConfiguration: name, webhooks: stale });
        return 'patched';
      } catch (error) {
        if (isNotFound(error)) return 'missing';
        if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }
}
