// The objects `tide kubernetes deploy` generates: plain Kubernetes objects in emission order, and the
// options every generator reads. Generators are pure functions of these options, one concern per file.

/** A Kubernetes object as written to YAML and applied (apiVersion, kind, metadata.name always set). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** Where the app's settings come from in the cluster (func's precedence: --use-config-map > --secret-name > --config-map-name > generated Secret). */
export type SettingsSource =
  | { readonly kind: 'secret' }
  | { readonly kind: 'config-map' }
  | { readonly kind: 'existing-secret'; readonly name: string }
  | { readonly kind: 'existing-config-map'; readonly name: string };

export type ServiceType = 'LoadBalancer' | 'ClusterIP' | 'NodePort';

/** `--http-scaling prometheus`: a ScaledObject for the HTTP Deployment on the host's request rate. */
export interface HttpScaling {
  readonly prometheusUrl: string;
  /** Requests per second per replica. */
  readonly target: number;
}

/** Separate scaler credentials: ScalerValues of local.settings.json and/or an existing Secret. */
export interface ScalerCredentials {
  /** Setting name → value the scaler uses instead of the app's (written to `<name>-scaler`). */
  readonly values: Readonly<Record<string, string>>;
  /** An existing Secret holding the scaler's values under the setting names (none generated). */
  readonly existingSecret?: string;
}

export interface DeployOptions {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly pullSecret?: string;
  readonly pollingInterval?: number;
  readonly cooldownPeriod?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly keysSecretName: string;
  readonly keySecretAnnotations: Readonly<Record<string, string>>;
  readonly mountKeys: boolean;
  readonly settings: SettingsSource;
  readonly serviceType: ServiceType;
  readonly httpScaling?: HttpScaling;
  readonly scalerCredentials?: ScalerCredentials;
}

/** Object names as func writes them. */
export const names = {
  httpDeployment: (name: string): string => `${name}-http`,
  keysSecret: (name: string): string => `func-keys-kube-secret-${name}`,
  serviceAccount: (name: string): string => `${name}-function-keys-identity-svc-act`,
  role: 'functions-keys-manager-role',
  roleBinding: (name: string): string => `${name}-function-keys-identity-svc-act-functions-keys-manager-rolebinding`,
  scaler: (name: string): string => `${name}-scaler`,
} as const;

/** metadata with the namespace, and labels/annotations only when given. */
export function meta(name: string, namespace: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Manifest['metadata'] {
  return {
    name,
    namespace,
    ...(extra.labels !== undefined ? { labels: extra.labels } : {}),
    ...(extra.annotations !== undefined && Object.keys(extra.annotations).length > 0 ? { annotations: extra.annotations } : {}),
  };
}
