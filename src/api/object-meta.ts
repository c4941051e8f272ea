// The part of Kubernetes ObjectMeta that tide reads. Kubernetes never prunes metadata, so the
// schema keeps fields it does not list (finalizers, ownerReferences, managedFields, …).
import { z } from 'zod';

/** Label and annotation maps: values must be strings in Kubernetes, never numbers or booleans. */
export const stringMapSchema = z.record(z.string(), z.string());

/** metadata of a keda.sh object; unlisted fields pass through untouched. */
export const objectMetaSchema = z.looseObject({
  name: z.string().exactOptional(),
  generateName: z.string().exactOptional(),
  namespace: z.string().exactOptional(),
  labels: stringMapSchema.exactOptional(),
  annotations: stringMapSchema.exactOptional(),
  generation: z.int().exactOptional(),
  creationTimestamp: z.string().exactOptional(),
  uid: z.string().exactOptional(),
  resourceVersion: z.string().exactOptional(),
  finalizers: z.array(z.string()).exactOptional(),
});

export type ObjectMeta = z.infer<typeof objectMetaSchema>;
