// kube-apiserver's authorizer as the fake runs it: system:masters may do anything (the privileged-group
// authorizer), otherwise RBAC over the stored Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
// (rules with `*` wildcards, resourceNames, nonResourceURLs with a trailing `*`; subjects User, Group,
// ServiceAccount). Reasons are worded as the RBAC authorizer words them. Not modelled: aggregated
// ClusterRoles (aggregationRule), the Node and Webhook authorizers, escalation checks on writes.
import type { FakeCluster } from './cluster.js';
import { type KubeObject, isRecord } from './types.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

/** Who asks (a SubjectAccessReview's user, groups and extra). */
export interface UserInfo {
  readonly user: string;
  readonly groups: readonly string[];
}

/** What is asked: a resource request or a non-resource path, as in SubjectAccessReviewSpec. */
export type RequestAttributes =
  | { readonly kind: 'resource'; readonly verb: string; readonly group: string; readonly resource: string; readonly subresource: string; readonly namespace: string; readonly name: string }
  | { readonly kind: 'nonResource'; readonly verb: string; readonly path: string };

export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function rulesOf(role: KubeObject): Rule[] {
  const rules = Array.isArray(role.rules) ? role.rules.filter(isRecord) : [];
  return rules.map((r) => ({ verbs: strings(r.verbs), apiGroups: strings(r.apiGroups), resources: strings(r.resources), resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs) }));
}

function subjectsOf(binding: KubeObject): Subject[] {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isRecord) : [];
  return subjects.map((s) => ({ kind: str(s.kind), name: str(s.name), namespace: str(s.namespace) }));
}

/** rbac's appliesTo: a ServiceAccount subject without a namespace takes the binding's. */
function appliesTo(subject: Subject, who: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return who.user === subject.name;
    case 'Group': return who.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace !== '' ? subject.namespace : bindingNamespace;
      return ns !== '' && who.user === `system:serviceaccount:${ns}:${subject.name}`;
    }
    default: return false;
  }
}

/** rbac's describeSubject, for the reason text. */
function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${subject.name}/${subject.namespace !== '' ? subject.namespace : bindingNamespace}`)}`;
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

const has = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);

/** RuleAllows of the RBAC authorizer. */
export function ruleAllows(attrs: RequestAttributes, rule: Rule): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (attrs.kind === 'nonResource') {
    return rule.nonResourceURLs.some((url) => url === '*' || url === attrs.path || (url.endsWith('*') && attrs.path.startsWith(url.slice(0, -1))));
  }
  const combined = attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const resourceMatches = rule.resources.some((r) => r === '*' || r === combined || (attrs.subresource !== '' && r === `*/${attrs.subresource}`));
  const nameMatches = rule.resourceNames.length === 0 || (attrs.name !== '' && rule.resourceNames.includes(attrs.name));
  return has(rule.apiGroups, attrs.group) && resourceMatches && nameMatches;
}

/** The role a binding refers to, or the RBAC authorizer's error text when it is missing. */
function roleOf(cluster: FakeCluster, binding: KubeObject): KubeObject | string {
  const ref = isRecord(binding.roleRef) ? binding.roleRef : {};
  const kind = str(ref.kind);
  const name = str(ref.name);
  const ns = binding.metadata.namespace ?? '';
  const role = kind === 'ClusterRole' ? cluster.get(RBAC, 'ClusterRole', '', name) : kind === 'Role' && ns !== '' ? cluster.get(RBAC, 'Role', ns, name) : undefined;
  if (role !== undefined) return role;
  return kind === 'ClusterRole' ? `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(name)} not found` : `role.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
}

/** The decision kube-apiserver's authorizer chain (privileged groups, then RBAC) takes for one request. */
export function authorize(cluster: FakeCluster, who: UserInfo, attrs: RequestAttributes): Decision {
  if (who.groups.includes('system:masters')) return { allowed: true, reason: '' };
  const errors: string[] = [];
  const namespace = attrs.kind === 'resource' ? attrs.namespace : '';
  const bindings = [
    ...cluster.list(RBAC, 'ClusterRoleBinding').map((b) => ({ binding: b, kind: 'ClusterRoleBinding', ns: '' })),
    ...(namespace === '' ? [] : cluster.list(RBAC, 'RoleBinding', namespace).map((b) => ({ binding: b, kind: 'RoleBinding', ns: namespace }))),
  ];
  for (const { binding, kind, ns } of bindings) {
    const subject = subjectsOf(binding).find((s) => appliesTo(s, who, ns));
    if (subject === undefined) continue;
    const role = roleOf(cluster, binding);
    if (typeof role === 'string') {
      errors.push(role);
      continue;
    }
    if (rulesOf(role).some((rule) => ruleAllows(attrs, rule))) {
      const ref = isRecord(binding.roleRef) ? binding.roleRef : {};
      const source = `${kind} ${JSON.stringify(binding.metadata.name ?? '')} of ${str(ref.kind)} ${JSON.stringify(str(ref.name))} to ${describeSubject(subject, ns)}`;
      return { allowed: true, reason: `RBAC: allowed by ${source}` };
    }
  }
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] ?? '' : `[${errors.join(', ')}]`}` };
}
