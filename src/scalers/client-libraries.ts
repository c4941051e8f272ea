// The client libraries scalers connect with, each loaded by the first connect that needs it. Together
// they are most of the memory of loading the scalers (tens of MiB each), which parsing, validation,
// the webhooks and an operator running one or two trigger types never use; scaler files import their
// types only (test/scalers/lazy-load.test.ts keeps it so).

import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';

/** The first call starts the import; every later call shares it. */
function loader<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export const loadStorageBlob = loader(() => import('@azure/storage-blob'));
export const loadStorageQueue = loader(() => import('@azure/storage-queue'));
export const loadKafkajs = loader(() => import('kafkajs'));
export const loadIoredis = loader(() => import('ioredis'));
export const loadPg = loader(async () => (await import('pg')).default);
export const loadMysql2 = loader(async () => (await import('mysql2/promise')).default);
export const loadAmqplib = loader(async () => (await import('amqplib')).default);
export const loadRhea = loader(async () => (await import('rhea')).default);
export const loadGrpc = loader(() => import('@grpc/grpc-js'));
/** The externalscaler contract and client (it loads @grpc/grpc-js and @grpc/proto-loader). */
export const loadExternalProto = loader(() => import('./external-proto.js'));

const require = createRequire(import.meta.url);
let fastXml: typeof FastXmlParser | undefined;

/** fast-xml-parser (its CommonJS build), loaded by the first XML parse: metrics-api parses bodies in a synchronous function. */
export function loadFastXmlParser(): typeof FastXmlParser {
  return (fastXml ??= require('fast-xml-parser') as typeof FastXmlParser);
}

/**
 * Loads a library inside a connect. A connect abandoned meanwhile (timeout, close) stops here, before
 * it opens a connection no one would close: its abort listeners are not registered yet.
 */
export async function loadFor<T>(load: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const library = await load();
  signal.throwIfAborted();
  return library;
}
