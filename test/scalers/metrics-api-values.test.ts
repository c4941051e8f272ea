import { describe, expect, test } from 'vitest';
import { parseSelector, splitPath, valueFromBody, type MetricsApiFormat } from '../../src/scalers/metrics-api-values.js';

const json = JSON.stringify({
  components: { worker: { tasks: 12, load: '250m', big: '2k', name: 'w', on: true, none: null } },
  items: [{ value: 3 }, { value: 7.5 }],
  'a.b': { c: 4 },
});

describe('metrics-api values: JSON with a GJSON path', () => {
  test.each([
    ['components.worker.tasks', 12],
    ['components.worker.load', 0.25], // Quantity 250m
    ['components.worker.big', 2000], // Quantity 2k
    ['items.1.value', 7.5], // array index
    ['items.#', 2], // array length
    ['a\\.b.c', 4], // escaped dot in a key
  ])('%s → %d', (path, value) => {
    expect(valueFromBody(json, path, 'json')).toEqual({ value });
  });

  test.each([
    ['components.worker.missing', 'Null'],
    ['components.worker.none', 'Null'],
    ['components.worker.on', 'True'],
    ['components.worker', 'JSON'],
    ['items.#.value', 'JSON'], // a list of values is not one number
    ['components.worker.name', 'w'], // a string that is not a Quantity
  ])('%s is an error naming what was found (%s)', (path, got) => {
    expect(valueFromBody(json, path, 'json')).toEqual({ error: `valueLocation must point to value of type number or a string representing a Quantity got: '${got}'` });
  });

  test('invalid JSON reads as nothing', () => {
    expect(valueFromBody('{oops', 'a', 'json')).toEqual({ error: "valueLocation must point to value of type number or a string representing a Quantity got: 'Null'" });
  });

  test('splitPath keeps escaped dots inside a key', () => {
    expect(splitPath('a\\.b.c')).toEqual(['a.b', 'c']);
  });
});

describe('metrics-api values: XML and YAML with a dotted path', () => {
  const xml = '<stats><worker><tasks>32</tasks><load>1500m</load><queues><q>1</q><q>9</q></queues></worker></stats>';
  const yaml = 'stats:\n  worker:\n    tasks: 32\n    load: 1500m\n    queues: [1, 9]\n    enabled: true\n';
  test.each<[MetricsApiFormat, string, string, number]>([
    ['xml', xml, 'stats.worker.tasks', 32],
    ['xml', xml, 'stats.worker.load', 1.5],
    ['xml', xml, 'stats.worker.queues.q.1', 9],
    ['yaml', yaml, 'stats.worker.tasks', 32],
    ['yaml', yaml, 'stats.worker.load', 1.5],
    ['yaml', yaml, 'stats.worker.queues.1', 9],
  ])('%s %s → %d', (format, body, path, value) => {
    expect(valueFromBody(body, path, format)).toEqual({ value });
  });

  test.each<[MetricsApiFormat, string, string, string]>([
    ['xml', xml, 'stats.worker.missing', 'valueLocation stats.worker.missing not found in the response'],
    ['yaml', yaml, 'stats.worker.enabled', "valueLocation must point to value of type number or a string representing a Quantity got: 'boolean'"],
    ['yaml', 'a: [1', 'a', 'the response is not YAML'],
    ['xml', 'garbage <<', 'a', 'the response is not XML'],
  ])('%s %s: error', (format, body, path, message) => {
    const found = valueFromBody(body, path, format);
    expect('error' in found && found.error.startsWith(message)).toBe(true);
  });
});

describe('metrics-api values: Prometheus text with a selector', () => {
  const text = [
    '# HELP queue_depth Messages waiting',
    '# TYPE queue_depth gauge',
    'queue_depth{queue="orders",region="eu"} 17',
    'queue_depth{queue="refunds",region="eu"} 4 1700000000000',
    'workers 3',
    'with_escape{path="a\\"b"} 8',
  ].join('\n');

  test.each([
    ['workers', 3],
    ['queue_depth{queue="refunds"}', 4], // trailing timestamp ignored
    ['queue_depth{queue="orders", region="eu"}', 17],
    ['queue_depth', 17], // no matchers: the first series of the family
    ['with_escape{path="a\\"b"}', 8],
  ])('%s → %d', (selector, value) => {
    expect(valueFromBody(text, selector, 'prometheus')).toEqual({ value });
  });

  test.each([
    ['missing_metric', "metric 'missing_metric' not found"],
    ['queue_depth{queue="payments"}', 'value queue_depth{queue="payments"} not found'],
    ['queue_depth{queue=~"o.*"}', 'label matchers must be label="value"'],
    ['{queue="x"}', 'is not a metric selector'],
  ])('%s → error', (selector, message) => {
    const found = valueFromBody(text, selector, 'prometheus');
    expect('error' in found ? found.error : '').toContain(message);
  });

  test('parseSelector reads name and labels', () => {
    expect(parseSelector('m{a="1",b="x y"}')).toEqual({ name: 'm', labels: new Map([['a', '1'], ['b', 'x y']]) });
  });
});
