// What `tide kubernetes install`, deploy/manifests/tide.yaml and the Helm chart vary: the namespace,
// the one tide image (or one per component), and KEDA's chart values that the CLI exposes. The names of
// the objects never vary: tools (and `func kubernetes remove`) find KEDA by them.
import type { Manifest } from '../manifest.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type Component = 'operator' | 'metricsServer' | 'webhooks';

export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface InstallOptions {
  /** Where the components run (KEDA's default `keda`). */
  readonly namespace: string;
  /** The tide image all three components run (`tide operator|metrics-server|webhooks`). */
  readonly image: string;
  /** Per-component image, when one differs from `image`. */
  readonly images?: Readonly<Partial<Record<Component, string>>>;
  readonly imagePullPolicy: PullPolicy;
  /** tide's version, for the `app.kubernetes.io/version` label. */
  readonly version: string;
  /** Namespace the operator watches; empty = all (KEDA's WATCH_NAMESPACE). */
  readonly watchNamespace: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Install the admission webhooks (Deployment, Service, ValidatingWebhookConfiguration). */
  readonly webhooks: boolean;
  readonly resources: Resources;
}

/** KEDA's defaults (its kustomize manifests and chart). */
export const DEFAULT_RESOURCES: Resources = {
  requests: { cpu: '100m', memory: '100Mi' },
  limits: { cpu: '1', memory: '1000Mi' },
};

/** The image tide publishes for a version. */
export function defaultImage(version: string): string {
  return `ghcr.io/tide-dev/tide:${version}`;
}

/** Options with KEDA's defaults for anything not given. */
export function installOptions(given: Partial<InstallOptions> & { readonly version: string }): InstallOptions {
  return {
    namespace: 'keda',
    image: defaultImage(given.version),
    imagePullPolicy: 'IfNotPresent',
    watchNamespace: '',
    logLevel: 'info',
    webhooks: true,
    resources: DEFAULT_RESOURCES,
    ...given,
  };
}

/** Object names, as KEDA's manifests and chart have them. */
export const INSTALL_NAMES = {
  operator: 'keda-operator',
  metricsServer: 'keda-metrics-apiserver',
  webhooks: 'keda-admission-webhooks',
  operatorAccount: 'keda-operator',
  metricsServerAccount: 'keda-metrics-server',
  webhooksAccount: 'keda-webhook',
  apiService: 'v1beta1.external.metrics.k8s.io',
  webhookConfiguration: 'keda-admission',
  certificates: 'kedaorg-certs',
} as const;

/** The label that marks an object as tide's (KEDA's say `keda-operator`): install refuses to replace others' objects without --take-over, remove deletes only these. */
export const PART_OF = { key: 'app.kubernetes.io/part-of', value: 'tide' } as const;

/** KEDA's four labels on every object, with tide as the part-of. */
export function labels(name: string, options: InstallOptions, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/version': options.version,
    ...(component !== undefined ? { 'app.kubernetes.io/component': component } : {}),
    [PART_OF.key]: PART_OF.value,
  };
}

export type { Manifest };
