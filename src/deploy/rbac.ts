// The identity the HTTP Deployment's host uses to read and write its keys Secret through the API
// (not written with --mount-funckeys-as-containervolume). The rules are func's, including the
// camel-case `configMaps` that matches nothing; the Role name is fixed, so it is shared per namespace.
import { meta, names, type DeployOptions, type Manifest } from './manifest.js';

/** ServiceAccount, Role and RoleBinding, in func's order. */
export function keysRbac(options: DeployOptions): Manifest[] {
  const account = names.serviceAccount(options.name);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(account, options.namespace) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(names.role, options.namespace),
      rules: [{ apiGroups: [''], resources: ['secrets', 'configMaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(names.roleBinding(options.name), options.namespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: options.namespace }],
    },
  ];
}
