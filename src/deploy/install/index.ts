// Everything `tide kubernetes install` applies, in apply order: the namespace and CRDs first, then
// identities and permissions, then the workloads, and last what makes the API server call them (the
// APIService and the webhook configuration), so nothing points at a Service that does not exist yet.
// Pure: deploy/manifests/tide.yaml (npm run manifests) and the CLI both come from here.
import { apiService } from './api-service.js';
import { crds } from './crds.js';
import { deployments } from './deployments.js';
import { namespace } from './namespace.js';
import type { InstallOptions, Manifest } from './options.js';
import { rbac, serviceAccounts } from './rbac.js';
import { services } from './services.js';
import { webhookConfiguration } from './webhook-configuration.js';

export { installOptions, defaultImage, INSTALL_NAMES, PART_OF, type InstallOptions, type Component, type PullPolicy } from './options.js';
export { KEDA_WEBHOOKS } from './webhook-configuration.js';

/** The objects of a tide installation. */
export function installManifests(o: InstallOptions): Manifest[] {
  return [
    namespace(o),
    ...crds(),
    ...serviceAccounts(o),
    ...rbac(o),
    ...services(o),
    ...deployments(o),
    apiService(o),
    ...(o.webhooks ? [webhookConfiguration(o)] : []),
  ];
}
