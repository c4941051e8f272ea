import { describe, expect, it } from 'vitest';
import { compileRoute, lookupRoute, RouteTemplateError, sortRoutes, type RouteEntry } from '../../../../src/functions/host/http/routing.js';

describe('compileRoute', () => {
  it.each([
    ['hello', '/api/hello', {}],
    ['hello', '/API/Hello/', {}],
    ['hello', '/api/hello/x', undefined],
    ['products/{id}', '/api/products/42', { id: '42' }],
    ['products/{id}', '/api/products', undefined],
    ['products/{id:int}', '/api/products/42', { id: '42' }],
    ['products/{id:int}', '/api/products/abc', undefined],
    ['products/{id:int}', '/api/products/2147483648', undefined], // int is 32-bit: 2^31 does not fit
    ['products/{id:long}', '/api/products/2147483648', { id: '2147483648' }],
    ['products/{id:int?}', '/api/products', {}],
    ['products/{id:int?}', '/api/products/7', { id: '7' }],
    ['products/{id?}', '/api/products/', {}],
    ['pages/{page=1}', '/api/pages', { page: '1' }],
    ['pages/{page=1}', '/api/pages/3', { page: '3' }],
    ['files/{*rest}', '/api/files/a/b/c.txt', { rest: 'a/b/c.txt' }],
    ['files/{*rest}', '/api/files', {}],
    ['c/{name:alpha}', '/api/c/abc', { name: 'abc' }],
    ['c/{name:alpha}', '/api/c/ab1', undefined],
    ['b/{flag:bool}', '/api/b/TRUE', { flag: 'TRUE' }],
    ['b/{flag:bool}', '/api/b/yes', undefined],
    ['g/{id:guid}', '/api/g/0f8fad5b-d9cb-469f-a165-70867728950e', { id: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
    ['g/{id:guid}', '/api/g/not-a-guid', undefined],
    ['n/{x:double}', '/api/n/1.5e3', { x: '1.5e3' }],
    ['n/{x:decimal}', '/api/n/1.5e3', undefined],
    ['r/{x:range(1,5)}', '/api/r/5', { x: '5' }],
    ['r/{x:range(1,5)}', '/api/r/6', undefined],
    ['r/{x:int:min(10)}', '/api/r/9', undefined],
    ['l/{x:length(2,3)}', '/api/l/abcd', undefined],
    ['l/{x:minlength(2)}', '/api/l/ab', { x: 'ab' }],
    ['re/{x:regex(^\\d{{3}}$)}', '/api/re/123', { x: '123' }],
    ['d/{name}.{ext}', '/api/d/report.pdf', { name: 'report', ext: 'pdf' }],
    ['enc/{v}', '/api/enc/a%20b', { v: 'a b' }],
  ])('api + %s, path %s → %j', (template, path, expected) => {
    expect(compileRoute('api', template).match(path)).toEqual(expected);
  });

  it('an empty prefix serves routes at the root', () => {
    expect(compileRoute('', 'hello/{id}').match('/hello/1')).toEqual({ id: '1' });
    expect(compileRoute('', 'hello/{id}').match('/api/hello/1')).toBeUndefined();
  });

  it.each([
    ['x/{id:nosuch}', /unknown constraint "nosuch"/],
    ['x/{*rest}/y', /catch-all .* must be the last segment/],
    ['x/{id', /unbalanced/],
    ['x/a{id?}', /must be a whole segment/],
  ])('%s is rejected', (template, message) => {
    expect(() => compileRoute('api', template)).toThrow(RouteTemplateError);
    expect(() => compileRoute('api', template)).toThrow(message);
  });
});

describe('lookupRoute', () => {
  const entry = (template: string, target: string, methods?: string[]): RouteEntry<string> => ({ route: compileRoute('api', template), methods, target });
  const table = sortRoutes([entry('items/{*rest}', 'catchall'), entry('items/{id}', 'param'), entry('items/{id:int}', 'int', ['GET']), entry('items/new', 'literal', ['POST'])]);

  it.each([
    ['GET', '/api/items/new', 'param'], // the POST-only literal is skipped for GET; {id} takes it, as ASP.NET's method policy does
    ['POST', '/api/items/new', 'literal'], // literal beats {id} and {*rest}
    ['GET', '/api/items/5', 'int'], // constrained beats unconstrained
    ['POST', '/api/items/5', 'param'], // int route is GET only; the next candidate allows POST
    ['GET', '/api/items/abc', 'param'],
    ['GET', '/api/items/a/b', 'catchall'],
    ['GET', '/api/other', { kind: 'not-found' }],
  ])('%s %s', (method, path, expected) => {
    const found = lookupRoute(table, method, path);
    if (typeof expected === 'string') expect(found.kind === 'match' ? found.entry.target : found).toBe(expected);
    else expect(found).toEqual(expected);
  });

  it('a path only routes with other methods match → 405 with their methods', () => {
    const only = sortRoutes([entry('a', 'x', ['POST']), entry('{name:alpha}', 'y', ['PUT', 'POST'])]);
    expect(lookupRoute(only, 'GET', '/api/a')).toEqual({ kind: 'method-not-allowed', allow: ['POST', 'PUT'] });
  });
});
