// Authentication resolution: TriggerAuthentication / ClusterTriggerAuthentication and container env
// → the authParams and env a scaler parses.
export { errorMessage, type AuthSources, type SourceData, type TokenRequestOptions } from './sources.js';
export { localAuthSources, localContainerEnv, type LocalAuthOptions, type LocalAuthSources, type LocalSettings, type ObjectMap } from './local-sources.js';
export {
  expandEnvReferences, podContainerEnv, resolveContainerEnv,
  type ContainerEnv, type ContainerEnvLookup, type ContainerEnvOptions, type ContainerLike, type EnvFromLike, type EnvProblem, type EnvVarLike, type PodSpecLike,
} from './container-env.js';
export {
  DEFAULT_BOUND_TOKEN_EXPIRY_SECONDS, DEFAULT_CLUSTER_OBJECT_NAMESPACE, resolveTriggerAuth,
  type GetTriggerAuthentication, type ResolveTriggerAuthInput, type ResolvedTriggerAuth,
} from './resolve.js';
export { encodeEndpointParams } from './steps.js';
export { DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE, resolveVaultSecrets, vaultValue, type VaultOptions } from './vault.js';
