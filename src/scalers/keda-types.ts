// Every trigger type KEDA's scalers builder accepts (v2.20). tide uses the list to tell a typo
// ("azure-queu") from a KEDA scaler tide does not implement yet ("aws-sqs-queue").

const KEDA_SCALER_TYPES: ReadonlySet<string> = new Set([
  'activemq', 'apache-kafka', 'arangodb', 'artemis-queue', 'aws-cloudwatch', 'aws-dynamodb', 'aws-dynamodb-streams',
  'aws-kinesis-stream', 'aws-sqs-queue', 'azure-app-insights', 'azure-blob', 'azure-data-explorer', 'azure-eventhub',
  'azure-log-analytics', 'azure-monitor', 'azure-pipelines', 'azure-queue', 'azure-servicebus', 'beanstalkd', 'cassandra',
  'couchdb', 'cpu', 'cron', 'datadog', 'dynatrace', 'elasticsearch', 'etcd', 'external', 'external-push', 'gcp-cloudtasks',
  'gcp-pubsub', 'gcp-stackdriver', 'gcp-storage', 'github-runner', 'graphite', 'huawei-cloudeye', 'ibmmq', 'influxdb',
  'kafka', 'kubernetes-workload', 'liiklus', 'loki', 'memory', 'metrics-api', 'mongodb', 'mssql', 'mysql', 'nats-jetstream',
  'new-relic', 'nsq', 'openstack-metric', 'openstack-swift', 'postgresql', 'predictkube', 'prometheus', 'pulsar', 'rabbitmq',
  'redis', 'redis-cluster', 'redis-cluster-streams', 'redis-sentinel', 'redis-sentinel-streams', 'redis-streams',
  'selenium-grid', 'solace-event-queue', 'solr', 'splunk', 'stan',
]);

/** True for a trigger type KEDA knows, whether or not tide implements it. */
export function isKedaScalerType(type: string): boolean {
  return KEDA_SCALER_TYPES.has(type);
}

/** All of KEDA's trigger types, for "did you mean" suggestions. */
export function kedaScalerTypes(): Iterable<string> {
  return KEDA_SCALER_TYPES;
}
