// The built-in simulated controllers, in start order.

import { garbageCollector } from '../gc.js';
import type { ControllerFactory } from './context.js';

export const builtinControllers: ControllerFactory[] = [garbageCollector];
