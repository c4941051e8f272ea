// The Deployments (functions.md §1.3): `<name>-http` for HTTP functions (1 replica unless
// --http-scaling), `<name>` for the others (replicas = --min-replicas or 0; KEDA scales it). Each lists
// only its own functions as AzureFunctionsJobHost__functions__<i>, which the host reads as host.json
// `functions`, so one image serves both. Probes on / port 80 as func writes them (tide's host serves / on
// every app, HTTP or not).
import { names, meta, type DeployOptions, type Manifest } from './manifest.js';
import { settingsEnvFrom } from './settings-objects.js';

export interface DeploymentInput {
  readonly name: string;
  readonly functions: readonly string[];
  readonly http: boolean;
  readonly replicas: number;
  /** The app has HTTP functions: every Deployment then runs as the keys identity (unless keys are mounted). */
  readonly appHasHttp: boolean;
}

const PROBE = { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, failureThreshold: 3, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 240 };
const KEYS_VOLUME = 'functions-keys-volume';

/** One Deployment of the app's image. */
export function deployment(options: DeployOptions, input: DeploymentInput): Manifest {
  const env: { name: string; value: string }[] = input.functions.map((fn, i) => ({ name: `AzureFunctionsJobHost__functions__${i}`, value: fn }));
  if (input.http) {
    env.push({ name: 'AzureWebJobsSecretStorageType', value: 'kubernetes' });
    if (!options.mountKeys) env.push({ name: 'AzureWebJobsKubernetesSecretName', value: `secrets/${options.keysSecretName}` });
  }
  const mounted = options.mountKeys && input.appHasHttp;
  const container = {
    name: input.name,
    image: options.image,
    env,
    envFrom: [settingsEnvFrom(options)],
    ...(input.http ? { ports: [{ containerPort: 80 }] } : {}),
    readinessProbe: PROBE,
    startupProbe: PROBE,
    ...(mounted ? { volumeMounts: [{ name: KEYS_VOLUME, mountPath: '/run/secrets/functions-keys', readOnly: true }] } : {}),
  };
  const podSpec = {
    ...(input.appHasHttp && !options.mountKeys ? { serviceAccountName: names.serviceAccount(options.name) } : {}),
    ...(options.pullSecret !== undefined ? { imagePullSecrets: [{ name: options.pullSecret }] } : {}),
    containers: [container],
    ...(mounted ? { volumes: [{ name: KEYS_VOLUME, secret: { secretName: options.keysSecretName } }] } : {}),
  };
  const labels = { app: input.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(input.name, options.namespace, { labels }),
    spec: { replicas: input.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}
