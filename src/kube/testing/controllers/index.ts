// The built-in simulated controllers, in start order.

import type { ControllerFactory } from './context.js';

export const builtinControllers: ControllerFactory[] = [];
