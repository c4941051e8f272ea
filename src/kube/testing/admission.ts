// Validating admission webhooks, called as kube-apiserver's ValidatingAdmissionWebhook plugin calls
// them: for every write that comes over HTTP (never for in-process `cluster.create()` setup), each
// webhook of each ValidatingWebhookConfiguration whose rules and selectors match gets an
// admission.k8s.io/v1 AdmissionReview, after defaulting and schema validation and before the write.
//
// The handlers are synchronous, so the object the webhooks see comes from a dry run of the same
// request; the real write follows when they all allow it. If the object changed while the webhooks
// were asked, the round is repeated, as kube-apiserver's GuaranteedUpdate re-admits a retried update.

import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FakeCluster } from './cluster.js';
import type { ProxyIdentity } from './front-proxy.js';
import { type Reply, type ResourceRequest, present } from './handlers.js';
import { toScale } from './scale.js';
import { type Requirement, matchesLabels } from './selectors.js';
import { serviceEndpointUrl } from './service-endpoints.js';
import { ApiError, type StatusBody, type StatusReason, badRequest } from './status.js';
import { type KubeObject, type ResourceType, groupResource, isRecord } from './types.js';

type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** A denial as kube-apiserver returns it: the webhook's Status, and the warnings gathered before it. */
export class AdmissionError extends ApiError {
  constructor(private readonly status: StatusBody, readonly warnings: readonly string[]) {
    super(status.code, status.reason ?? 'BadRequest', status.message ?? '', status.details);
  }

  override toStatus(): StatusBody {
    return this.status;
  }
}

/** `Warning` header texts that travel with an error (a webhook's warnings on a denied request). */
export function warningsOf(err: unknown): readonly string[] {
  return err instanceof AdmissionError ? err.warnings : [];
}

/** One webhook of a ValidatingWebhookConfiguration, as far as the dispatcher reads it. */
interface Webhook {
  name: string;
  spec: Record<string, unknown>;
}

/** What one webhook is asked about: the version its rules matched and the request's own. */
interface Invocation {
  webhook: Webhook;
  matched: ResourceType;
}

/** The request's attributes, as the admission chain sees them. */
interface Attributes {
  operation: Operation;
  type: ResourceType;
  namespace: string;
  name: string;
  subresource: string;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  dryRun: boolean;
  options: Record<string, unknown>;
  user: ProxyIdentity;
}

const WEBHOOK_CONFIGURATIONS = { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations' };

/** kube-apiserver never sends its own admission configuration to webhooks (rules.IsExemptAdmissionConfigurationResource). */
const EXEMPT = new Set(['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The webhooks of every ValidatingWebhookConfiguration, configurations in name order as kube-apiserver sorts them. */
function webhooks(cluster: FakeCluster): Webhook[] {
  const t = cluster.registry.lookup(WEBHOOK_CONFIGURATIONS.group, WEBHOOK_CONFIGURATIONS.version, WEBHOOK_CONFIGURATIONS.resource);
  if (t === undefined) return [];
  const out: Webhook[] = [];
  for (const config of cluster.store.list(t)) {
    const list = Array.isArray(config.webhooks) ? config.webhooks.filter(isRecord) : [];
    for (const spec of list) out.push({ name: typeof spec.name === 'string' ? spec.name : '', spec });
  }
  return out;
}

/** Whether one rule (apiGroups, apiVersions, resources with subresources, operations, scope) covers the request at `type`'s version. */
function ruleMatches(rule: Record<string, unknown>, type: ResourceType, a: Pick<Attributes, 'operation' | 'namespace' | 'subresource'>): boolean {
  const any = (list: string[], value: string): boolean => list.includes('*') || list.includes(value);
  if (!any(strings(rule.operations), a.operation) || !any(strings(rule.apiGroups), type.group) || !any(strings(rule.apiVersions), type.version)) return false;
  // "*" is every resource without a subresource; "*/*" every one with any; "deployments/scale" one exactly.
  const resourceOk = strings(rule.resources).some((r) => {
    const [res = '', sub = ''] = r.split('/', 2);
    return (res === '*' || res === type.resource) && (sub === '*' || sub === a.subresource);
  });
  if (!resourceOk) return false;
  const scope = typeof rule.scope === 'string' ? rule.scope : '*';
  const isNamespace = groupResource(type) === 'namespaces';
  if (scope === 'Namespaced') return !isNamespace && a.namespace !== '';
  if (scope === 'Cluster') return isNamespace || a.namespace === '';
  return true;
}

/** The served version whose rules match: the request's own, else (matchPolicy Equivalent) another version of the same resource. */
function matchedType(cluster: FakeCluster, webhook: Webhook, a: Attributes): ResourceType | undefined {
  const rules = Array.isArray(webhook.spec.rules) ? webhook.spec.rules.filter(isRecord) : [];
  if (rules.some((r) => ruleMatches(r, a.type, a))) return a.type;
  if (webhook.spec.matchPolicy === 'Exact') return undefined;
  return cluster.registry.byGroupResource(groupResource(a.type)).find((t) => t !== a.type && rules.some((r) => ruleMatches(r, t, a)));
}

/** A metav1.LabelSelector as requirements; undefined when it cannot be read (it then selects nothing). */
function selectorRequirements(selector: unknown): Requirement[] | undefined {
  if (selector === undefined || selector === null) return [];
  if (!isRecord(selector)) return undefined;
  const reqs: Requirement[] = [];
  if (isRecord(selector.matchLabels)) for (const [key, v] of Object.entries(selector.matchLabels)) reqs.push({ key, op: 'eq', values: [String(v)] });
  const ops: Record<string, Requirement['op']> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'notexists' };
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRecord) : []) {
    const op = typeof e.operator === 'string' ? ops[e.operator] : undefined;
    if (op === undefined || typeof e.key !== 'string') return undefined;
    reqs.push({ key: e.key, op, values: strings(e.values) });
  }
  return reqs;
}

const labelsOf = (o: KubeObject | null): Record<string, string> => o?.metadata.labels ?? {};

/** namespaceSelector: the labels of the request's namespace (a Namespace's own), with the label every namespace carries. */
function namespaceMatches(cluster: FakeCluster, selector: unknown, a: Attributes): boolean {
  const isNamespace = groupResource(a.type) === 'namespaces';
  if (!isNamespace && a.namespace === '') return true;
  const reqs = selectorRequirements(selector);
  if (reqs === undefined) return false;
  if (reqs.length === 0) return true;
  const name = isNamespace ? a.name : a.namespace;
  const ns = isNamespace ? (a.object ?? a.oldObject) : cluster.get('v1', 'Namespace', '', name) ?? null;
  return matchesLabels(reqs, { ...labelsOf(ns), 'kubernetes.io/metadata.name': name });
}

/** objectSelector: the new or the old object's labels. */
function objectMatches(selector: unknown, a: Attributes): boolean {
  const reqs = selectorRequirements(selector);
  if (reqs === undefined) return false;
  return matchesLabels(reqs, labelsOf(a.object)) || matchesLabels(reqs, labelsOf(a.oldObject));
}

/** The webhooks to call for this request, each with the version its rules matched. */
function invocations(cluster: FakeCluster, a: Attributes): Invocation[] {
  const out: Invocation[] = [];
  for (const webhook of webhooks(cluster)) {
    const matched = matchedType(cluster, webhook, a);
    if (matched === undefined) continue;
    if (!namespaceMatches(cluster, webhook.spec.namespaceSelector, a) || !objectMatches(webhook.spec.objectSelector, a)) continue;
    out.push({ webhook, matched });
  }
  return out;
}

/** An object of the request as the matched version serves it (custom resources convert with strategy None). */
function atVersion(o: KubeObject | null, a: Attributes, t: ResourceType): KubeObject | null {
  if (o === null || t === a.type || a.subresource === 'scale') return o;
  return { ...o, apiVersion: t.group === '' ? t.version : `${t.group}/${t.version}` };
}

/** The admission.k8s.io/v1 AdmissionReview for one invocation. */
function admissionReview(a: Attributes, inv: Invocation, uid: string): unknown {
  const kindOf = (t: ResourceType): Record<string, string> => (a.subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: t.group, version: t.version, kind: t.kind });
  const resourceOf = (t: ResourceType): Record<string, string> => ({ group: t.group, version: t.version, resource: t.resource });
  const request: Record<string, unknown> = {
    uid,
    kind: kindOf(inv.matched),
    resource: resourceOf(inv.matched),
    requestKind: kindOf(a.type),
    requestResource: resourceOf(a.type),
    name: a.name,
    operation: a.operation,
    userInfo: { username: a.user.user, groups: [...a.user.groups] },
    object: atVersion(a.object, a, inv.matched),
    oldObject: atVersion(a.oldObject, a, inv.matched),
    dryRun: a.dryRun,
    options: a.options,
  };
  if (a.subresource !== '') Object.assign(request, { subResource: a.subresource, requestSubResource: a.subresource });
  if (a.namespace !== '') request.namespace = a.namespace;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** An error of calling the webhook (subject to failurePolicy), worded after client-go. */
class CallError extends Error {}

/** Where the webhook listens, with its TLS settings; the Service resolved through its Endpoints as the aggregator does. */
function target(cluster: FakeCluster, spec: Record<string, unknown>, timeoutSeconds: number): { shown: string; url?: string; ca?: string; serverName?: string; error?: string } {
  const cc = isRecord(spec.clientConfig) ? spec.clientConfig : {};
  const ca = typeof cc.caBundle === 'string' && cc.caBundle !== '' ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const withCa = ca === undefined ? {} : { ca };
  const query = `?timeout=${timeoutSeconds}s`;
  if (typeof cc.url === 'string') return { shown: cc.url + query, url: cc.url + query, ...withCa };
  const svc = isRecord(cc.service) ? cc.service : {};
  const ns = typeof svc.namespace === 'string' ? svc.namespace : '';
  const name = typeof svc.name === 'string' ? svc.name : '';
  const port = typeof svc.port === 'number' ? svc.port : 443;
  const path = typeof svc.path === 'string' ? svc.path : '';
  const serverName = `${name}.${ns}.svc`;
  const shown = `https://${serverName}:${port}${path}${query}`;
  const endpoint = serviceEndpointUrl(cluster, ns, name, port);
  if ('error' in endpoint) return { shown, error: endpoint.error };
  return { shown, url: endpoint.url + path + query, serverName, ...withCa };
}

/** Node's socket errors in Go's words, as kube-apiserver's messages carry them. */
function transportError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e.code === 'ECONNREFUSED') return `dial tcp ${e.address ?? ''}:${e.port ?? ''}: connect: connection refused`;
  return err instanceof Error ? err.message : String(err);
}

/** POSTs the review and resolves with the response's body; rejects with a CallError. */
function post(cluster: FakeCluster, spec: Record<string, unknown>, review: unknown, timeoutSeconds: number): Promise<string> {
  const t = target(cluster, spec, timeoutSeconds);
  const failed = (why: string): CallError => new CallError(`failed to call webhook: Post "${t.shown}": ${why}`);
  if (t.url === undefined) return Promise.reject(failed(t.error ?? ''));
  const url = new URL(t.url);
  const body = JSON.stringify(review);
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = url.protocol === 'https:'
      ? httpsRequest(url, { method: 'POST', headers, agent: false, ...(t.serverName === undefined ? {} : { servername: t.serverName }), ...(t.ca === undefined ? {} : { ca: t.ca }) })
      : httpRequest(url, { method: 'POST', headers, agent: false });
    const timer = setTimeout(() => { req.destroy(new Error('context deadline exceeded')); }, timeoutSeconds * 1000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(failed(transportError(err)));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve(text);
        else reject(new CallError(`failed to call webhook: ${statusMessage(code, text)}`));
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(failed(transportError(err)));
      });
    });
    req.end(body);
  });
}

/** client-go's error text for a non-2xx answer: its Status message, else the generic wording. */
function statusMessage(code: number, text: string): string {
  try {
    const v: unknown = JSON.parse(text);
    if (isRecord(v) && v.kind === 'Status' && typeof v.message === 'string' && v.message !== '') return v.message;
  } catch {
    // not a Status
  }
  return `an error on the server ("${text.slice(0, 200)}") has prevented the request from succeeding (code ${code})`;
}

/** The response of an AdmissionReview answer, checked as VerifyAdmissionResponse checks it. */
function verifiedResponse(text: string, uid: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CallError(`failed to call webhook: ${err instanceof Error ? err.message : String(err)}`);
  }
  const invalid = (why: string): CallError => new CallError(`received invalid webhook response: ${why}`);
  if (!isRecord(v) || !isRecord(v.response)) throw invalid('webhook response was absent');
  const got = typeof v.response.uid === 'string' ? v.response.uid : '';
  if (got !== uid) throw invalid(`expected response.uid="${uid}", got "${got}"`);
  if (v.apiVersion !== 'admission.k8s.io/v1' || v.kind !== 'AdmissionReview') {
    throw invalid(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${typeof v.apiVersion === 'string' ? v.apiVersion : ''}, Kind=${typeof v.kind === 'string' ? v.kind : ''}`);
  }
  return v.response;
}

/** A denial as webhookerrors.ToStatusErr words it: at least 400, Failure, `admission webhook "<name>" denied the request[: why]`. */
function denial(name: string, result: unknown): StatusBody {
  const r = isRecord(result) ? result : {};
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message = typeof r.message === 'string' && r.message !== '' ? r.message : typeof r.reason === 'string' && r.reason !== '' ? r.reason : undefined;
  const status: StatusBody = {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: `admission webhook "${name}" denied the request${message === undefined ? ' without explanation' : `: ${message}`}`,
    code,
  };
  // Reasons are the webhook's own words; kube-apiserver passes them through.
  if (typeof r.reason === 'string' && r.reason !== '') status.reason = r.reason as StatusReason;
  if (isRecord(r.details)) status.details = r.details;
  return status;
}

/** One webhook's verdict: its warnings, and the error that stops the request (none when allowed or ignored). */
async function call(cluster: FakeCluster, a: Attributes, inv: Invocation): Promise<{ warnings: string[]; error?: ApiError }> {
  const { spec, name } = inv.webhook;
  const ignore = spec.failurePolicy === 'Ignore';
  const callFailed = (why: string): { warnings: string[]; error?: ApiError } => (ignore ? { warnings: [] } : {
    warnings: [],
    error: new ApiError(500, 'InternalError', `Internal error occurred: failed calling webhook "${name}": ${why}`, { causes: [{ message: `failed calling webhook "${name}": ${why}` }] }),
  });
  if (a.dryRun) {
    if (typeof spec.sideEffects !== 'string') return callFailed('Webhook SideEffects is nil');
    if (spec.sideEffects !== 'None' && spec.sideEffects !== 'NoneOnDryRun') return { warnings: [], error: badRequest(`admission webhook "${name}" does not support dry run`) };
  }
  // The fake speaks admission.k8s.io/v1 only.
  if (!strings(spec.admissionReviewVersions).includes('v1')) return callFailed('could not create admission objects: webhook does not accept known AdmissionReview versions (v1)');
  const timeoutSeconds = typeof spec.timeoutSeconds === 'number' && spec.timeoutSeconds > 0 ? spec.timeoutSeconds : 10;
  const uid = randomUUID();
  let response: Record<string, unknown>;
  try {
    response = verifiedResponse(await post(cluster, spec, admissionReview(a, inv, uid), timeoutSeconds), uid);
  } catch (err) {
    if (err instanceof CallError) return callFailed(err.message);
    throw err;
  }
  const warnings = strings(response.warnings);
  if (response.allowed === true) return { warnings };
  return { warnings, error: new AdmissionError(denial(name, response.status), []) };
}

/** The operation a request is, with its object before the write; undefined for requests no webhook sees. */
function operationOf(cluster: FakeCluster, type: ResourceType, req: ResourceRequest): { operation: Operation; existing: KubeObject | undefined } | undefined {
  if (EXEMPT.has(type.resource) && type.group === WEBHOOK_CONFIGURATIONS.group) return undefined;
  const { method, path } = req;
  const existing = path.name === undefined ? undefined : cluster.store.get(type, path.namespace, path.name);
  if (method === 'POST' && path.name === undefined) return { operation: 'CREATE', existing };
  if ((method === 'PUT' || method === 'PATCH') && path.name !== undefined) {
    if (existing !== undefined) return { operation: 'UPDATE', existing };
    // Only server-side apply creates through PATCH; other writes of a missing object answer 404 without admission.
    return method === 'PATCH' && req.contentType.startsWith('application/apply-patch') && path.subresource === undefined ? { operation: 'CREATE', existing } : undefined;
  }
  // DeleteCollection is not sent to webhooks by the fake (documented).
  if (method === 'DELETE' && path.name !== undefined && path.subresource === undefined && existing !== undefined) return { operation: 'DELETE', existing };
  return undefined;
}

/** metav1 options of the write, as kube-apiserver puts them in the review (patches become Update/CreateOptions). */
function optionsOf(operation: Operation, req: ResourceRequest, dryRun: boolean): Record<string, unknown> {
  const kind = operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const out: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (dryRun) out.dryRun = ['All'];
  const manager = req.query.get('fieldManager');
  if (manager !== null && operation !== 'DELETE') out.fieldManager = manager;
  const policy = req.query.get('propagationPolicy');
  if (policy !== null && operation === 'DELETE') out.propagationPolicy = policy;
  return out;
}

/** The object before the write, as the request's path serves it (a Scale for /scale). */
function presentOld(type: ResourceType, req: ResourceRequest, existing: KubeObject | undefined): KubeObject | null {
  if (existing === undefined) return null;
  const scale = type.subresources.scale;
  if (req.path.subresource === 'scale' && scale !== undefined) return toScale(type, scale, existing);
  return present(type, existing);
}

/** The request with the name a generateName create drew in the dry run, so the write stores what the webhooks saw. */
function withDrawnName(req: ResourceRequest, object: KubeObject | null): ResourceRequest {
  if (req.method !== 'POST' || object?.metadata.name === undefined) return req;
  try {
    const body: unknown = JSON.parse(req.body);
    if (!isRecord(body) || !isRecord(body.metadata) || (typeof body.metadata.name === 'string' && body.metadata.name !== '')) return req;
    return { ...req, body: JSON.stringify({ ...body, metadata: { ...body.metadata, name: object.metadata.name } }) };
  } catch {
    return req;
  }
}

/** kubectl delete --dry-run=server puts dryRun in the DeleteOptions body rather than the query. */
function deleteBodyDryRun(body: string): boolean {
  try {
    const v: unknown = body.trim() === '' ? {} : JSON.parse(body);
    return isRecord(v) && Array.isArray(v.dryRun) && v.dryRun.includes('All');
  } catch {
    return false;
  }
}

/** Whether the object the write applies to is still the one the webhooks were asked about. */
const versionOf = (cluster: FakeCluster, type: ResourceType, req: ResourceRequest): string => {
  const name = req.path.name;
  return name === undefined ? '' : cluster.store.get(type, req.path.namespace, name)?.metadata.resourceVersion ?? 'absent';
};

/**
 * Runs `write` for the request once every matching validating webhook allowed it; a denial or a
 * failing webhook with failurePolicy Fail throws the Status kube-apiserver answers with. Webhook
 * warnings are added to the reply's.
 */
export async function withValidatingWebhooks(cluster: FakeCluster, type: ResourceType, req: ResourceRequest, user: ProxyIdentity, write: (req: ResourceRequest) => Reply): Promise<Reply> {
  for (let round = 0; ; round++) {
    const op = operationOf(cluster, type, req);
    if (op === undefined) return write(req);
    const dryRun = req.query.getAll('dryRun').length > 0 || (op.operation === 'DELETE' && deleteBodyDryRun(req.body));
    const attrs: Attributes = {
      operation: op.operation, type, namespace: req.path.namespace, name: req.path.name ?? '', subresource: req.path.subresource ?? '',
      object: null, oldObject: op.operation === 'CREATE' ? null : presentOld(type, req, op.existing), dryRun, options: optionsOf(op.operation, req, dryRun), user,
    };
    // Cheap first: the rules do not need the object; most writes match no webhook.
    if (!webhooks(cluster).some((w) => matchedType(cluster, w, attrs) !== undefined)) return write(req);
    let probed = req;
    if (op.operation !== 'DELETE') {
      const query = new URLSearchParams(req.query);
      query.delete('dryRun');
      query.append('dryRun', 'All');
      let reply: Reply;
      try {
        reply = write({ ...req, query });
      } catch {
        // Defaulting or validation failed: the write fails the same way, before admission, as on kube-apiserver.
        return write(req);
      }
      attrs.object = isRecord(reply.body) ? (reply.body as KubeObject) : null;
      if (attrs.object !== null && attrs.name === '') attrs.name = attrs.object.metadata.name ?? '';
      probed = withDrawnName(req, attrs.object);
    }
    const before = versionOf(cluster, type, probed);
    const results = await Promise.all(invocations(cluster, attrs).map((inv) => call(cluster, attrs, inv)));
    const warnings = results.flatMap((r) => r.warnings);
    const error = results.find((r) => r.error !== undefined)?.error;
    if (error !== undefined) throw new AdmissionError(error.toStatus(), warnings);
    // Written meanwhile: admit again against the new state (bounded, like GuaranteedUpdate's retries).
    if (versionOf(cluster, type, probed) !== before && round < 5) continue;
    const reply = write(probed);
    return warnings.length === 0 ? reply : { ...reply, warnings: [...(reply.warnings ?? []), ...warnings] };
  }
}

