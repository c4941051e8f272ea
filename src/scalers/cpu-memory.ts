// cpu and memory: Resource (or ContainerResource) metrics the HPA reads from metrics.k8s.io. The trigger's
// metricType says whether `value` is a utilization percentage or an average quantity per pod.

import { parseQuantity } from '../api/quantity.js';
import { defineScaler, issue, type IssueResult, type MetricTargetType } from './define.js';
import { param } from './param.js';

function checkValue(value: string, metricType: MetricTargetType): IssueResult {
  if (metricType === 'Utilization') {
    const percent = Number(value);
    return (!/^-?\d+$/.test(value) || percent > 2 ** 31 - 1 || percent < -(2 ** 31)) && issue('value', `"${value}" is not an integer percentage (metricType Utilization)`);
  }
  return 'error' in parseQuantity(value) && issue('value', `"${value}" is not a quantity (metricType AverageValue), e.g. 500m or 256Mi`);
}

function resourceScaler(resource: 'cpu' | 'memory') {
  return defineScaler({
    type: resource,
    params: {
      value: param.string().required(),
      containerName: param.string(),
      type: param.string().removed("set the trigger's metricType (Utilization or AverageValue) instead"),
    },
    metricTypes: ['Utilization', 'AverageValue'],
    metricTypeRequired: true,
    rules: (rule) => [rule(['value'], (p, ctx) => checkValue(p.value, ctx.metricType))],
    metricSpecs: (p, ctx) => {
      const milli = ctx.metricType === 'Utilization' ? Number(p.value) * 1000 : resourceMilli(p.value);
      const common = { metricName: resource, targetType: ctx.metricType, targetMilli: milli, activationMilli: 0 };
      return [p.containerName !== undefined ? { kind: 'ContainerResource', ...common, containerName: p.containerName } : { kind: 'Resource', ...common }];
    },
  });
}

function resourceMilli(value: string): number {
  const parsed = parseQuantity(value);
  return 'milli' in parsed ? parsed.milli : 0;
}

/** The cpu scaler declaration. */
export const cpu = resourceScaler('cpu');

/** The memory scaler declaration. */
export const memory = resourceScaler('memory');
