// TriggerAuthentication / ClusterTriggerAuthentication rules of KEDA's webhook, plus the
// filePath scope rule the operator enforces when it resolves parameters.
import { problem, type Problem } from './problems.js';
import type { PodIdentity, TriggerAuthenticationSpec } from './trigger-authentication.js';

const POD = 'spec.podIdentity';

function azureWorkloadProblems(identity: PodIdentity): Problem[] {
  const out: Problem[] = [];
  if (identity.identityId === '') out.push(problem(`${POD}.identityId`, 'must not be empty when set (omit it to use the default identity)'));
  if (identity.identityTenantId === '') out.push(problem(`${POD}.identityTenantId`, 'must not be empty when set (omit it to use the default tenant)'));
  const host = identity.identityAuthorityHost;
  if (host !== undefined && host !== '' && (identity.identityTenantId === undefined || identity.identityTenantId === '')) {
    out.push(problem(`${POD}.identityAuthorityHost`, 'needs identityTenantId to be set as well'));
  }
  return out;
}

function awsProblems(identity: PodIdentity): Problem[] {
  const out: Problem[] = [];
  const roleArn = identity.roleArn ?? '';
  if (roleArn !== '' && identity.identityOwner === 'workload') {
    out.push(problem(`${POD}.roleArn`, 'cannot be set with identityOwner: workload (the workload\'s own role is used)'));
  }
  if (identity.externalID !== undefined && identity.externalID !== '' && roleArn === '') {
    out.push(problem(`${POD}.externalID`, 'needs roleArn to be set as well'));
  }
  return out;
}

function podIdentityProblems(identity: PodIdentity | undefined): Problem[] {
  if (identity === undefined) return [];
  if (identity.provider === 'azure-workload') return azureWorkloadProblems(identity);
  if (identity.provider === 'aws') return awsProblems(identity);
  return [];
}

function oauth2Problems(spec: TriggerAuthenticationSpec): Problem[] {
  const oauth2 = spec.oauth2;
  if (oauth2 === undefined) return [];
  const out: Problem[] = [];
  if (oauth2.clientId === '') out.push(problem('spec.oauth2.clientId', 'is required'));
  if (!/^https?:\/\/[^\s/]+/i.test(oauth2.tokenUrl)) {
    out.push(problem('spec.oauth2.tokenUrl', `must be an http or https URL, got ${JSON.stringify(oauth2.tokenUrl)}`));
  }
  return out;
}

/** Every offline rule for a TriggerAuthentication or ClusterTriggerAuthentication spec. */
export function triggerAuthenticationRuleProblems(spec: TriggerAuthenticationSpec, kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication'): Problem[] {
  const out = [...podIdentityProblems(spec.podIdentity), ...oauth2Problems(spec)];
  if (kind === 'TriggerAuthentication' && spec.filePath !== undefined) {
    out.push(problem('spec.filePath', 'is only supported on ClusterTriggerAuthentication'));
  }
  return out;
}
