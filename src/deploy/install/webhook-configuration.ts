// ValidatingWebhookConfiguration keda-admission: KEDA's webhook names, paths and rules (keda.md §4,
// config/webhooks/validation_webhooks.yaml), Ignore on failure so a down webhook never blocks applies.
import { INSTALL_NAMES as N, labels, type InstallOptions, type Manifest } from './options.js';

/** KEDA's webhooks: name, path, resource (the paths tide webhooks serves, src/webhooks/server.ts). */
export const KEDA_WEBHOOKS = [
  { name: 'vscaledobject.kb.io', resource: 'scaledobjects', path: '/validate-keda-sh-v1alpha1-scaledobject' },
  { name: 'vscaledjob.kb.io', resource: 'scaledjobs', path: '/validate-keda-sh-v1alpha1-scaledjob' },
  { name: 'vstriggerauthentication.kb.io', resource: 'triggerauthentications', path: '/validate-keda-sh-v1alpha1-triggerauthentication' },
  { name: 'vsclustertriggerauthentication.kb.io', resource: 'clustertriggerauthentications', path: '/validate-keda-sh-v1alpha1-clustertriggerauthentication' },
] as const;

/** The webhook configuration calling keda-admission-webhooks. */
export function webhookConfiguration(o: InstallOptions): Manifest {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: N.webhookConfiguration, labels: labels(N.webhookConfiguration, o, 'admission-webhooks') },
    webhooks: KEDA_WEBHOOKS.map((w) => ({
      name: w.name,
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: N.webhooks, namespace: o.namespace, path: w.path, port: 443 } },
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      rules: [{ apiGroups: ['keda.sh'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [w.resource], scope: '*' }],
      sideEffects: 'None',
      timeoutSeconds: 10,
    })),
  };
}
