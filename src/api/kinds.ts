// The keda.sh/v1alpha1 API: group, version and the four kinds with their schemas and names.
import type { z } from 'zod';
import { scaledJobSchema, type ScaledJob } from './scaled-job.js';
import { scaledObjectSchema, type ScaledObject } from './scaled-object.js';
import {
  clusterTriggerAuthenticationSchema,
  triggerAuthenticationSchema,
  type ClusterTriggerAuthentication,
  type TriggerAuthentication,
} from './trigger-authentication.js';

export const KEDA_GROUP = 'keda.sh';
export const KEDA_VERSION = 'v1alpha1';
export const KEDA_API_VERSION = `${KEDA_GROUP}/${KEDA_VERSION}`;

export const KEDA_KINDS = ['ScaledObject', 'ScaledJob', 'TriggerAuthentication', 'ClusterTriggerAuthentication'] as const;
export type KedaKind = (typeof KEDA_KINDS)[number];

/** The typed object of each kind. */
export interface KedaObjectByKind {
  ScaledObject: ScaledObject;
  ScaledJob: ScaledJob;
  TriggerAuthentication: TriggerAuthentication;
  ClusterTriggerAuthentication: ClusterTriggerAuthentication;
}

export type KedaObject = KedaObjectByKind[KedaKind];

/** Resource names and scope of each kind, as the CRDs (and kubectl) spell them. */
export interface KindNames {
  readonly kind: KedaKind;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
}

export const KIND_NAMES: Readonly<Record<KedaKind, KindNames>> = {
  ScaledObject: { kind: 'ScaledObject', listKind: 'ScaledObjectList', plural: 'scaledobjects', singular: 'scaledobject', shortNames: ['so'], scope: 'Namespaced' },
  ScaledJob: { kind: 'ScaledJob', listKind: 'ScaledJobList', plural: 'scaledjobs', singular: 'scaledjob', shortNames: ['sj'], scope: 'Namespaced' },
  TriggerAuthentication: {
    kind: 'TriggerAuthentication',
    listKind: 'TriggerAuthenticationList',
    plural: 'triggerauthentications',
    singular: 'triggerauthentication',
    shortNames: ['ta', 'triggerauth'],
    scope: 'Namespaced',
  },
  ClusterTriggerAuthentication: {
    kind: 'ClusterTriggerAuthentication',
    listKind: 'ClusterTriggerAuthenticationList',
    plural: 'clustertriggerauthentications',
    singular: 'clustertriggerauthentication',
    shortNames: ['cta', 'clustertriggerauth'],
    scope: 'Cluster',
  },
};

export const KIND_SCHEMAS: { readonly [K in KedaKind]: z.ZodType<KedaObjectByKind[K]> } = {
  ScaledObject: scaledObjectSchema,
  ScaledJob: scaledJobSchema,
  TriggerAuthentication: triggerAuthenticationSchema,
  ClusterTriggerAuthentication: clusterTriggerAuthenticationSchema,
};

/** True when `kind` is one of the four keda.sh kinds. */
export const isKedaKind = (kind: unknown): kind is KedaKind => typeof kind === 'string' && (KEDA_KINDS as readonly string[]).includes(kind);
