// TLS and SASL parameters of the kafka scaler and their rules: which credentials each SASL mechanism
// and OAuth token provider needs.

import { issue, type Issue, type IssueResult, type Rule, type RuleFactory } from './define.js';
import { param, type ParamsOf } from './param.js';

/** Declarations of kafka's TLS/SASL parameters (mostly TriggerAuthentication-only). */
export const kafkaAuthParams = {
  tls: param.enum(['enable', 'disable']).default('disable').from('metadata', 'authParams'),
  unsafeSsl: param.bool().default(false),
  ca: param.string().from('authParams'),
  cert: param.string().from('authParams'),
  key: param.string().from('authParams').secret(),
  keyPassword: param.string().from('authParams').secret(),
  sasl: param.enum(['none', 'plaintext', 'scram_sha256', 'scram_sha512', 'oauthbearer', 'gssapi']).from('metadata', 'authParams'),
  username: param.string().from('authParams'),
  password: param.string().from('authParams').secret(),
  saslTokenProvider: param.enum(['bearer', 'aws_msk_iam']).from('metadata', 'authParams'),
  scopes: param.list().from('authParams'),
  oauthTokenEndpointUri: param.string().from('authParams'),
  oauthExtensions: param.string().from('authParams'),
  keytab: param.string().from('authParams').secret(),
  realm: param.string().from('authParams'),
  kerberosConfig: param.string().from('authParams'),
  kerberosServiceName: param.string().from('authParams'),
  kerberosDisableFAST: param.bool().default(false).from('authParams'),
  awsRegion: param.string(),
  awsEndpoint: param.string(),
  identityOwner: param.string(),
  awsRoleArn: param.string().from('metadata', 'authParams'),
  awsAccessKeyID: param.string().from('authParams'),
  awsSecretAccessKey: param.string().from('authParams').secret(),
  awsSessionToken: param.string().from('authParams').secret(),
} as const;

type KafkaAuth = ParamsOf<typeof kafkaAuthParams>;

function need(values: Partial<Record<keyof KafkaAuth, string | undefined>>, why: string): Issue[] {
  return Object.entries(values).filter(([, v]) => v === undefined).map(([name]) => issue(name, `required ${why} (set it in the TriggerAuthentication)`));
}

function checkOAuthBearer(p: Pick<KafkaAuth, 'saslTokenProvider' | 'username' | 'password' | 'oauthTokenEndpointUri' | 'oauthExtensions' | 'tls' | 'awsRegion'>): IssueResult {
  if (p.saslTokenProvider === 'aws_msk_iam') {
    if (p.tls !== 'enable') return issue('tls', 'must be enable for AWS MSK IAM authentication');
    return p.awsRegion === undefined && issue('awsRegion', 'required for AWS MSK IAM authentication');
  }
  const missing = need({ username: p.username, password: p.password, oauthTokenEndpointUri: p.oauthTokenEndpointUri }, 'with sasl oauthbearer');
  if (missing.length > 0) return missing;
  const bad = p.oauthExtensions?.split(',').some((pair) => pair.split('=').length !== 2);
  return bad === true && issue('oauthExtensions', 'must be key=value pairs separated by commas');
}

function checkGssapi(p: Pick<KafkaAuth, 'username' | 'password' | 'keytab' | 'realm' | 'kerberosConfig'>): IssueResult {
  const issues = need({ username: p.username, realm: p.realm, kerberosConfig: p.kerberosConfig }, 'with sasl gssapi');
  if ((p.password === undefined) === (p.keytab === undefined)) issues.push(issue('keytab', 'exactly one of password or keytab is required with sasl gssapi'));
  return issues;
}

/** The SASL/TLS rules, for the kafka declaration's rule list. */
export function checkKafkaAuth<P extends KafkaAuth>(rule: RuleFactory<P>): Rule<P>[] {
  return [
    rule(['tls', 'cert', 'key'], (p) => p.tls === 'enable' && (p.cert === undefined) !== (p.key === undefined) && issue(p.cert === undefined ? 'cert' : 'key', 'cert and key must be given together')),
    rule(['sasl', 'username', 'password'], (p) => (p.sasl === 'plaintext' || p.sasl === 'scram_sha256' || p.sasl === 'scram_sha512') && need({ username: p.username, password: p.password }, `with sasl ${p.sasl}`)),
    rule(['sasl', 'saslTokenProvider', 'username', 'password', 'oauthTokenEndpointUri', 'oauthExtensions', 'tls', 'awsRegion'], (p) => p.sasl === 'oauthbearer' && checkOAuthBearer(p)),
    rule(['sasl', 'username', 'password', 'keytab', 'realm', 'kerberosConfig'], (p) => p.sasl === 'gssapi' && checkGssapi(p)),
  ];
}
