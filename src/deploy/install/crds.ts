// The four keda.sh CRDs from the model in src/api (the same text as deploy/crds, which a test holds
// to it). Installs apply them and never delete them: deleting a CRD deletes every ScaledObject.
import { customResourceDefinition } from '../../api/crds.js';
import { KEDA_KINDS } from '../../api/kinds.js';
import type { Manifest } from './options.js';

/** ClusterTriggerAuthentication, ScaledJob, ScaledObject, TriggerAuthentication CRDs. */
export function crds(): Manifest[] {
  return KEDA_KINDS.map((kind) => customResourceDefinition(kind) as unknown as Manifest);
}
