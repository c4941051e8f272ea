// external: a user's gRPC server (externalscaler.ExternalScaler) decides the metric and activity.
//
// The metric name and target belong to the server (GetMetricSpec), so parse() cannot know them:
// the spec parse() returns is live. Until connect it reads `s<i>-external` with target 0; connect
// and every read call GetMetricSpec (as KEDA does on each poll) and the spec then shows the server's
// first metric as KEDA names it (`s<i>-<metricName>`, not normalised) and its target. Callers that
// build HPAs must therefore connect first — KEDA also asks the server before creating an HPA.
//
// scalerMetadata is the trigger's whole metadata, resolved at parse time from the trigger's metadata
// and env: `xFromEnv` keys carry the env value under the same key (dropped when the variable is unset
// or empty), as KEDA sends them. ConnectContext.metadata is not used.

import { milliFromFloatTarget, milliFromInt } from './metric-name.js';
import { caution, defineScaler, type MetricSpec, type MetricTargetType, type ParseInput, type ParseResult, type ScalerDeclaration } from './define.js';
import { param, type ParamsOf } from './param.js';
import { acquireClient, type ExternalEndpoint } from './external-pool.js';
import type { ExternalMetricSpec, ExternalScalerClient, ScaledObjectRef } from './external-proto.js';

/** Declarations of the external scalers' own parameters; every other metadata key goes to the server. */
export const externalParams = {
  scalerAddress: param.string().required(),
  enableTLS: param.bool().default(false),
  unsafeSsl: param.bool().default(false),
  caCert: param.string().from('authParams'),
  tlsClientCert: param.string().from('authParams'),
  tlsClientKey: param.string().from('authParams').secret(),
};

/** The server's current metric spec, filled in by connect and refreshed by each read. */
export interface DiscoveredSpec {
  spec: ExternalMetricSpec | undefined;
}

/** Parsed parameters of an external trigger. */
export interface ExternalParams extends ExternalEndpoint {
  readonly scalerMetadata: Readonly<Record<string, string>>;
  readonly discovered: DiscoveredSpec;
}

/** An open external scaler: a pooled client and the ScaledObjectRef sent with every call. */
export interface ExternalConnection {
  readonly client: ExternalScalerClient;
  readonly ref: ScaledObjectRef;
  readonly release: () => void;
}

const FROM_ENV = 'FromEnv';
const PLACEHOLDER = 'external';

/** KEDA's scalerMetadata: every key as given, except `xFromEnv` keys, which carry the env value (or are dropped). */
export function externalScalerMetadata(metadata: Readonly<Record<string, string>>, env: Readonly<Record<string, string>>): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.endsWith(FROM_ENV)) forwarded[key] = value;
    else if (Object.hasOwn(env, value) && env[value]) forwarded[key] = env[value];
  }
  return forwarded;
}

/** A spec's HPA target in milli-units: targetSizeFloat when > 0 (truncated milli), else the integer targetSize. */
export function externalTargetMilli(spec: Pick<ExternalMetricSpec, 'targetSize' | 'targetSizeFloat'>): number {
  return spec.targetSizeFloat > 0 ? milliFromFloatTarget(spec.targetSizeFloat) : milliFromInt(spec.targetSize);
}

/** A metric value as KEDA reads it: metricValueFloat when > 0, else the integer metricValue. */
export function externalMetricValue(value: { metricValue: number; metricValueFloat: number }): number {
  return value.metricValueFloat > 0 ? value.metricValueFloat : value.metricValue;
}

// KEDA's GenerateMetricNameWithIndex without normalisation: external names are used as the server gives them.
function liveSpec(discovered: DiscoveredSpec, triggerIndex: number, metricType: MetricTargetType): MetricSpec {
  return {
    kind: 'External',
    get metricName() {
      return `s${triggerIndex}-${discovered.spec?.metricName ?? PLACEHOLDER}`;
    },
    targetType: metricType,
    get targetMilli() {
      return discovered.spec ? externalTargetMilli(discovered.spec) : 0;
    },
    activationMilli: 0,
  };
}

async function fetchSpec(connection: ExternalConnection, p: ExternalParams, options: { timeoutMs: number; signal: AbortSignal }): Promise<ExternalMetricSpec[]> {
  const { metricSpecs } = await connection.client.getMetricSpec(connection.ref, options);
  const first = metricSpecs[0];
  if (!first) throw new Error(`GetMetricSpec of ${p.scalerAddress} returned no metric spec`);
  p.discovered.spec = first;
  return metricSpecs;
}

/** The server metric a read asks for: the one the caller names (without `s<i>-`) when the server serves it, else the first. */
export function requestedMetric(callerName: string, specs: readonly ExternalMetricSpec[]): string {
  const bare = callerName.replace(/^s\d+-/, '');
  return specs.find((s) => s.metricName === bare)?.metricName ?? specs[0]?.metricName ?? bare;
}

async function connectExternal(p: ExternalParams, ctx: { timeoutMs: number; signal: AbortSignal; scaledObject: { name: string; namespace: string } }): Promise<ExternalConnection> {
  const pooled = await acquireClient(p, ctx.signal);
  const connection: ExternalConnection = {
    ...pooled,
    ref: { name: ctx.scaledObject.name, namespace: ctx.scaledObject.namespace, scalerMetadata: { ...p.scalerMetadata } },
  };
  try {
    await fetchSpec(connection, p, ctx);
    return connection;
  } catch (error) {
    pooled.release();
    throw error;
  }
}

type Declaration = ScalerDeclaration<typeof externalParams, ExternalParams, ExternalConnection>;

/** The declaration shared by external and external-push (push adds subscribe). */
export function externalDeclaration(type: string, extra: Pick<Declaration, 'subscribe'> = {}): Declaration {
  return {
    type,
    params: externalParams,
    rules: (rule) => [
      rule(['tlsClientCert', 'tlsClientKey'], (p) =>
        Boolean(p.tlsClientCert) !== Boolean(p.tlsClientKey) &&
        caution(p.tlsClientCert ? 'tlsClientCert' : 'tlsClientKey', 'is ignored without its pair: set both tlsClientCert and tlsClientKey'),
      ),
    ],
    derive: (p: ParamsOf<typeof externalParams>): ExternalParams => ({ ...p, scalerMetadata: {}, discovered: { spec: undefined } }),
    metricSpecs: (p, ctx) => [liveSpec(p.discovered, ctx.triggerIndex, ctx.metricType)],
    connect: connectExternal,
    async read(connection, p, ctx) {
      const specs = await fetchSpec(connection, p, ctx);
      const metricName = requestedMetric(ctx.metricName, specs);
      const { metricValues } = await connection.client.getMetrics({ scaledObjectRef: connection.ref, metricName }, ctx);
      const found = metricValues.find((v) => v.metricName === metricName) ?? metricValues[0];
      if (!found) throw new Error(`GetMetrics of ${p.scalerAddress} returned no value for metric "${metricName}"`);
      const { result } = await connection.client.isActive(connection.ref, ctx);
      return { value: externalMetricValue(found), active: result };
    },
    close: (connection) => {
      connection.release();
    },
    ...extra,
  };
}

/** Parse with scalerMetadata resolved from the trigger, and without "unknown key" warnings: other keys belong to the server. */
export function externalParse(parse: (input: ParseInput) => ParseResult<ExternalParams>): (input: ParseInput) => ParseResult<ExternalParams> {
  return (input) => {
    const result = parse(input);
    if (!result.ok) return { ...result, problems: result.problems.filter(isOwnProblem) };
    const scalerMetadata = externalScalerMetadata(input.metadata, input.env ?? {});
    const fromEnv = Object.keys(input.metadata).filter((k) => k.endsWith(FROM_ENV)).flatMap((k) => scalerMetadata[k] ?? []);
    return {
      ...result,
      params: { ...result.params, scalerMetadata },
      warnings: result.warnings.filter(isOwnProblem),
      secrets: [...result.secrets, ...fromEnv],
    };
  };
}

function isOwnProblem(p: { severity: string; message: string }): boolean {
  return !(p.severity === 'warning' && p.message.startsWith('unknown metadata key'));
}

const declared = defineScaler(externalDeclaration('external'));

/** The external scaler declaration (pull: GetMetricSpec, GetMetrics, IsActive each poll). */
export const external = { ...declared, parse: externalParse(declared.parse) };
