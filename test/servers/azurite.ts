// Tests start Azurite the way local mode does: in process, in memory, on free ports.
export { isAddressInUse, startAzurite, type Azurite } from '../../src/local/embedded-azurite.js';
