// The fake API server has no rbac.authorization.k8s.io types: they are
// registered as schemaless CRDs, as test/cli/kubernetes.test.ts does for Role/RoleBinding.
import type { KubeObject } from '../../../src/kube/testing/index.js';

const KINDS: readonly [group: string, kind: string, scope: 'Namespaced' | 'Cluster'][] = [
  ['rbac.authorization.k8s.io', 'Role', 'Namespaced'],
  ['rbac.authorization.k8s.io', 'RoleBinding', 'Namespaced'],
  ['rbac.authorization.k8s.io', 'ClusterRole', 'Cluster'],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding', 'Cluster'],
];

/** CRDs standing in for the built-in kinds an install writes that the fake does not serve. */
export const INSTALL_KIND_CRDS: KubeObject[] = KINDS.map(([group, kind, scope]) => {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
});
