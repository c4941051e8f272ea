// A kubeconfig for the fake cluster: one cluster, one user with a placeholder token, one context.

import { stringify } from 'yaml';

/** Kubeconfig YAML pointing at `url`, context and cluster both named `name`. */
export function kubeconfigFor(url: string, name = 'tide-fake'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url } }],
    users: [{ name, user: { token: 'fake-token' } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
