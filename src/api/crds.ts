// The four keda.sh CustomResourceDefinitions, generated from the zod model so the API server and
// tide validate the same shapes. Names, short names, scope and printer columns are KEDA's own, so
// `kubectl get so` looks the same on a tide cluster.
import { stringify } from 'yaml';
import type { z } from 'zod';
import { structuralSchema, type JsonSchema } from './crd-schema.js';
import { KEDA_GROUP, KEDA_VERSION, KIND_NAMES, type KedaKind } from './kinds.js';
import { scaledJobSpecSchema, scaledJobStatusSchema } from './scaled-job.js';
import { scaledObjectSpecSchema, scaledObjectStatusSchema } from './scaled-object.js';
import { triggerAuthenticationSpecSchema, triggerAuthenticationStatusSchema } from './trigger-authentication.js';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly jsonPath: string;
  readonly priority?: number;
}

const condition = (type: string): PrinterColumn => ({ name: type, type: 'string', jsonPath: `.status.conditions[?(@.type=="${type}")].status` });
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const MIN: PrinterColumn = { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicaCount' };
const MAX: PrinterColumn = { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicaCount' };
const TRIGGERS: PrinterColumn = { name: 'Triggers', type: 'string', jsonPath: '.status.triggersTypes' };
const AUTHENTICATIONS: PrinterColumn = { name: 'Authentications', type: 'string', jsonPath: '.status.authenticationsTypes' };

const AUTH_COLUMNS: readonly PrinterColumn[] = [
  { name: 'PodIdentity', type: 'string', jsonPath: '.spec.podIdentity.provider' },
  { name: 'Secret', type: 'string', jsonPath: '.spec.secretTargetRef[*].name' },
  { name: 'Env', type: 'string', jsonPath: '.spec.env[*].name' },
  { name: 'VaultAddress', type: 'string', jsonPath: '.spec.hashiCorpVault.address' },
  { name: 'ScaledObjects', type: 'string', jsonPath: '.status.scaledobjects', priority: 1 },
  { name: 'ScaledJobs', type: 'string', jsonPath: '.status.scaledjobs', priority: 1 },
];

/** KEDA's `+kubebuilder:printcolumn` markers, per kind, in order. */
export const PRINTER_COLUMNS: Readonly<Record<KedaKind, readonly PrinterColumn[]>> = {
  ScaledObject: [
    { name: 'ScaleTargetKind', type: 'string', jsonPath: '.status.scaleTargetKind' },
    { name: 'ScaleTargetName', type: 'string', jsonPath: '.spec.scaleTargetRef.name' },
    MIN,
    MAX,
    condition('Ready'),
    condition('Active'),
    condition('Fallback'),
    condition('Paused'),
    TRIGGERS,
    AUTHENTICATIONS,
    AGE,
  ],
  ScaledJob: [MIN, MAX, condition('Ready'), condition('Active'), condition('Paused'), TRIGGERS, AUTHENTICATIONS, AGE],
  TriggerAuthentication: AUTH_COLUMNS,
  ClusterTriggerAuthentication: AUTH_COLUMNS,
};

const SCHEMAS: Readonly<Record<KedaKind, { spec: z.ZodType; status: z.ZodType; description: string }>> = {
  ScaledObject: { spec: scaledObjectSpecSchema, status: scaledObjectStatusSchema, description: 'ScaledObject scales a resource with a /scale subresource on events' },
  ScaledJob: { spec: scaledJobSpecSchema, status: scaledJobStatusSchema, description: 'ScaledJob runs Kubernetes Jobs on events' },
  TriggerAuthentication: {
    spec: triggerAuthenticationSpecSchema,
    status: triggerAuthenticationStatusSchema,
    description: 'TriggerAuthentication tells triggers in its namespace where their credentials come from',
  },
  ClusterTriggerAuthentication: {
    spec: triggerAuthenticationSpecSchema,
    status: triggerAuthenticationStatusSchema,
    description: 'ClusterTriggerAuthentication tells triggers of any namespace where their credentials come from',
  },
};

/** The openAPIV3Schema of one kind: typeMeta, free metadata, and the structural spec and status. */
export function openApiSchema(kind: KedaKind): JsonSchema {
  const { spec, status, description } = SCHEMAS[kind];
  return {
    description,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: structuralSchema(spec),
      status: structuralSchema(status),
    },
    required: ['spec'],
  };
}

/** The CustomResourceDefinition (apiextensions.k8s.io/v1) of one keda.sh kind. */
export function customResourceDefinition(kind: KedaKind): JsonSchema {
  const names = KIND_NAMES[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${KEDA_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'tide' } },
    spec: {
      group: KEDA_GROUP,
      names: { kind: names.kind, listKind: names.listKind, plural: names.plural, singular: names.singular, shortNames: [...names.shortNames] },
      scope: names.scope,
      versions: [
        {
          name: KEDA_VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: PRINTER_COLUMNS[kind].map((c) => ({ ...c })),
          schema: { openAPIV3Schema: openApiSchema(kind) },
          subresources: { status: {} },
        },
      ],
    },
  };
}

/** The file name KEDA uses for a kind's CRD: keda.sh_<plural>.yaml. */
export const crdFileName = (kind: KedaKind): string => `${KEDA_GROUP}_${KIND_NAMES[kind].plural}.yaml`;

/** The YAML text of a kind's CRD as written to deploy/crds/. */
export function crdYaml(kind: KedaKind): string {
  const header = '# Generated from src/api by scripts/generate-crds.ts. Do not edit: run `npm run crds`.\n';
  return header + stringify(customResourceDefinition(kind), { lineWidth: 0 });
}
