// The built-in simulated controllers, in start order.

import { garbageCollector } from '../gc.js';
import type { ControllerFactory } from './context.js';
import { deploymentController } from './deployment.js';
import { jobController } from './job.js';
import { namespaceController } from './namespace.js';
import { podLifecycle } from './pods.js';
import { replicaSetController } from './replicaset.js';
import { statefulSetController } from './statefulset.js';

export const builtinControllers: ControllerFactory[] = [
  garbageCollector,
  namespaceController,
  podLifecycle,
  replicaSetController,
  deploymentController,
  statefulSetController,
  jobController,
];
