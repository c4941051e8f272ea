// keda.sh/v1alpha1 TriggerAuthentication (namespaced) and ClusterTriggerAuthentication (cluster
// scope): where a trigger's secrets come from. Both kinds share one spec.
import { z } from 'zod';
import { objectMetaSchema } from './object-meta.js';

export const POD_IDENTITY_PROVIDERS = ['none', 'azure-workload', 'gcp', 'aws', 'aws-eks'] as const;
export type PodIdentityProvider = (typeof POD_IDENTITY_PROVIDERS)[number];

export const podIdentitySchema = z.object({
  provider: z.enum(POD_IDENTITY_PROVIDERS),
  identityId: z.string().exactOptional(),
  identityTenantId: z.string().exactOptional(),
  identityAuthorityHost: z.string().exactOptional(),
  roleArn: z.string().exactOptional(),
  externalID: z.string().exactOptional(),
  identityOwner: z.enum(['keda', 'workload']).exactOptional(),
});

const targetRefSchema = z.object({ parameter: z.string(), name: z.string(), key: z.string() });

export const authEnvironmentSchema = z.object({
  parameter: z.string(),
  name: z.string(),
  containerName: z.string().exactOptional(),
});

const secretKeyRefSchema = z.object({ name: z.string(), key: z.string() });
const valueFromSecretSchema = z.object({ valueFrom: z.object({ secretKeyRef: secretKeyRefSchema }) });

export const hashiCorpVaultSchema = z.object({
  address: z.string(),
  authentication: z.enum(['token', 'kubernetes']),
  role: z.string().exactOptional(),
  mount: z.string().exactOptional(),
  namespace: z.string().exactOptional(),
  credential: z
    .object({
      token: z.string().exactOptional(),
      serviceAccount: z.string().exactOptional(),
      serviceAccountName: z.string().exactOptional(),
    })
    .exactOptional(),
  secrets: z.array(
    z.object({
      parameter: z.string(),
      path: z.string(),
      key: z.string(),
      type: z.enum(['', 'secretV2', 'secret', 'pki']).exactOptional(),
      pkiData: z
        .object({
          commonName: z.string().exactOptional(),
          altNames: z.string().exactOptional(),
          ipSans: z.string().exactOptional(),
          uriSans: z.string().exactOptional(),
          otherSans: z.string().exactOptional(),
          ttl: z.string().exactOptional(),
          format: z.string().exactOptional(),
        })
        .exactOptional(),
    }),
  ),
});

export const azureKeyVaultSchema = z.object({
  vaultUri: z.string(),
  secrets: z.array(z.object({ parameter: z.string(), name: z.string(), version: z.string().exactOptional() })),
  credentials: z.object({ clientId: z.string(), tenantId: z.string(), clientSecret: valueFromSecretSchema }).exactOptional(),
  podIdentity: podIdentitySchema.exactOptional(),
  cloud: z
    .object({
      type: z.string(),
      keyVaultResourceURL: z.string().exactOptional(),
      activeDirectoryEndpoint: z.string().exactOptional(),
    })
    .exactOptional(),
});

export const gcpSecretManagerSchema = z.object({
  secrets: z.array(z.object({ parameter: z.string(), id: z.string(), version: z.string().exactOptional() })),
  credentials: z.object({ clientSecret: valueFromSecretSchema }).exactOptional(),
  podIdentity: podIdentitySchema.exactOptional(),
});

export const awsSecretManagerSchema = z.object({
  secrets: z.array(
    z.object({
      parameter: z.string(),
      name: z.string(),
      versionId: z.string().exactOptional(),
      versionStage: z.string().exactOptional(),
      secretKey: z.string().exactOptional(),
    }),
  ),
  credentials: z
    .object({
      accessKey: valueFromSecretSchema,
      accessSecretKey: valueFromSecretSchema,
      accessToken: valueFromSecretSchema.exactOptional(),
    })
    .exactOptional(),
  podIdentity: podIdentitySchema.exactOptional(),
  region: z.string().exactOptional(),
});

export const oauth2Schema = z.object({
  type: z.enum(['clientCredentials']),
  clientId: z.string(),
  clientSecret: valueFromSecretSchema.exactOptional(),
  tokenUrl: z.string(),
  scopes: z.array(z.string()).exactOptional(),
  tokenUrlParams: z.record(z.string(), z.string()).exactOptional(),
});

export const triggerAuthenticationSpecSchema = z.object({
  podIdentity: podIdentitySchema.exactOptional(),
  secretTargetRef: z.array(targetRefSchema).exactOptional(),
  configMapTargetRef: z.array(targetRefSchema).exactOptional(),
  env: z.array(authEnvironmentSchema).exactOptional(),
  filePath: z.array(z.object({ parameter: z.string(), path: z.string() })).exactOptional(),
  hashiCorpVault: hashiCorpVaultSchema.exactOptional(),
  azureKeyVault: azureKeyVaultSchema.exactOptional(),
  gcpSecretManager: gcpSecretManagerSchema.exactOptional(),
  awsSecretManager: awsSecretManagerSchema.exactOptional(),
  boundServiceAccountToken: z.array(z.object({ parameter: z.string(), serviceAccountName: z.string() })).exactOptional(),
  oauth2: oauth2Schema.exactOptional(),
});

export const triggerAuthenticationStatusSchema = z.object({
  scaledobjects: z.string().exactOptional(),
  scaledjobs: z.string().exactOptional(),
});

export const triggerAuthenticationSchema = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('TriggerAuthentication'),
  metadata: objectMetaSchema,
  spec: triggerAuthenticationSpecSchema,
  status: triggerAuthenticationStatusSchema.exactOptional(),
});

export const clusterTriggerAuthenticationSchema = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ClusterTriggerAuthentication'),
  metadata: objectMetaSchema,
  spec: triggerAuthenticationSpecSchema,
  status: triggerAuthenticationStatusSchema.exactOptional(),
});

export type PodIdentity = z.infer<typeof podIdentitySchema>;
export type TriggerAuthenticationSpec = z.infer<typeof triggerAuthenticationSpecSchema>;
export type TriggerAuthenticationStatus = z.infer<typeof triggerAuthenticationStatusSchema>;
export type TriggerAuthentication = z.infer<typeof triggerAuthenticationSchema>;
export type ClusterTriggerAuthentication = z.infer<typeof clusterTriggerAuthenticationSchema>;
export type HashiCorpVault = z.infer<typeof hashiCorpVaultSchema>;
export type OAuth2 = z.infer<typeof oauth2Schema>;
