#!/usr/bin/env node
// test_registry_confluent.js - Confluent's official JavaScript Schema Registry client and serdes
// (@confluentinc/schemaregistry, unchanged, default settings) against a real sluice-server
// with its Schema Registry door.
//
// What is checked:
//   * REST calls through SchemaRegistryClient: register (same schema -> same id, also from a
//     fresh client and under another subject), fetch by id and by subject+version/latest,
//     lookup (getId/getVersion), list subjects and versions, compatibility checks (a compatible
//     and an incompatible schema, by subject and by version), the 409 on registering an
//     incompatible schema, per-subject and global compatibility levels, soft and permanent
//     deletes, and the error codes 40401, 40402, 40403, 42201, 42203, 409.
//   * An Avro and a JSON Schema producer -> consumer round trip through the broker: records
//     serialised with AvroSerializer/JsonSerializer (useLatestVersion), produced with kafkajs
//     (acks=all), consumed with a kafkajs consumer group, deserialised with fresh
//     AvroDeserializer/JsonDeserializer instances (so the schema is fetched from the registry
//     by the id in the record), and compared with what was produced. The framing (magic byte 0,
//     4-byte big-endian id) is checked on the raw bytes.
//   * Avro schema references: a record whose field type is defined in another subject's schema
//     registers with its reference, and a fresh deserializer resolves it through the registry.
// The Kafka client is kafkajs: @confluentinc/schemaregistry's serdes produce plain Buffers and
// pair with any client; Confluent's own @confluentinc/kafka-javascript needs a native
// librdkafka download that an offline machine cannot do.
//
// The server is started from here (child_process, --kafka-port 0 --registry-port 0) through
// `python3 ../harness.py exec-pdeathsig`, so it dies with this process even on SIGKILL.
//
// Usage: node test_registry_confluent.js [BUILD_DIR | path/to/sluice-server]
'use strict'

const { spawn } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const readline = require('readline')
let kafkajs, sr
try {
  kafkajs = require('kafkajs')
  sr = require('@confluentinc/schemaregistry')
} catch (e) {
  console.log(`FAIL a client is not installed: run \`npm ci\` in ${__dirname} (${e.message.split('\n')[0]})`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const { Kafka, logLevel } = kafkajs
const {
  SchemaRegistryClient, AvroSerializer, AvroDeserializer, JsonSerializer, JsonDeserializer,
  SerdeType, RestError,
} = sr

const PY = '/usr/bin/python3'
const HERE = __dirname
const HARNESS = path.join(HERE, '..', 'harness.py')
const BROKER_RE = /broker listening on (\S+):(\d+)/
const REGISTRY_RE = /schema registry listening on (\S+):(\d+)/

// ---- results --------------------------------------------------------------------------------
let passed = 0
let failed = 0
const failures = []
const t0wall = Date.now()
function check (cond, what, detail) {
  if (cond) {
    passed++
    console.log(`ok   ${what}`)
  } else {
    failed++
    failures.push(what)
    console.log(`FAIL ${what}` + (detail !== undefined ? `\n       ${String(detail).replace(/\n/g, '\n       ')}` : ''))
  }
  return !!cond
}
const J = (v) => String(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : Buffer.isBuffer(x) ? x.toString('hex') : x)))
function eq (got, want, what) {
  const g = J(got)
  const w = J(want)
  return check(g === w, what, g === w ? undefined : `expected ${w.slice(0, 800)}\n got      ${g.slice(0, 800)}`)
}
function section (t) { console.log(`\n== ${t}`) }

// Runs fn (a promise-returning thunk); passes when it rejects with a RestError of the given
// HTTP status and Confluent error_code.
async function expectRestError (fn, status, code, what) {
  try {
    const r = await fn()
    return check(false, what, `expected error ${status}/${code}, got success: ${J(r)}`)
  } catch (e) {
    const ok = e instanceof RestError && e.status === status && e.errorCode === code
    return check(ok, what, ok ? undefined : `expected RestError ${status}/${code}, got ${e && e.constructor && e.constructor.name} ${e && e.status}/${e && e.errorCode}: ${e && e.message}`)
  }
}

// Runs fn; a thrown error is one failed check (with the stack), not the end of the test.
async function step (what, fn) {
  try {
    return await fn()
  } catch (e) {
    check(false, what, e && e.stack ? e.stack : String(e))
    return undefined
  }
}

// ---- server -----------------------------------------------------------------------------------
function findServer () {
  const cands = []
  if (process.env.SLUICE_SERVER) cands.push(process.env.SLUICE_SERVER)
  const a = process.argv[2]
  if (a) cands.push(fs.existsSync(a) && fs.statSync(a).isDirectory() ? path.join(a, 'server', 'sluice-server') : a)
  cands.push(path.join(HERE, '..', '..', '..', 'build', 'server', 'sluice-server'))
  for (const c of cands) {
    try {
      fs.accessSync(c, fs.constants.X_OK)
      if (fs.statSync(c).isFile()) return path.resolve(c)
    } catch (e) { /* next */ }
  }
  throw new Error(`sluice-server not found (tried ${cands.join(', ')})`)
}

// One sluice-server with the broker and the registry doors on free ports, in a temp dir.
class Server {
  constructor (binary) {
    this.binary = binary
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-jsreg-'))
    this.dataDir = path.join(this.work, 'data')
    fs.mkdirSync(this.dataDir)
    this.stderrPath = path.join(this.work, 'server.stderr')
    this.child = null
  }

  // Resolves to {bootstrap, registryUrl} once both "listening on" lines were printed.
  start () {
    const args = [HARNESS, 'exec-pdeathsig', this.binary, '--data-dir', this.dataDir,
      '--kafka-port', '0', '--registry-port', '0', '--no-sql']
    const errFd = fs.openSync(this.stderrPath, 'a')
    const child = spawn(PY, args, { stdio: ['ignore', 'pipe', errFd] })
    fs.closeSync(errFd)
    this.child = child
    this.exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })))
    const hostOf = (h) => (['', '0.0.0.0', '::', '[::]', '*'].includes(h) ? '127.0.0.1' : h)
    return new Promise((resolve, reject) => {
      let bootstrap = null
      let registryUrl = null
      let done = false
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no 'broker/schema registry listening on' lines within 20 s\n${this.stderrTail()}`))
      }, 20000)
      const rl = readline.createInterface({ input: child.stdout })
      rl.on('line', (line) => {
        let m = REGISTRY_RE.exec(line)
        if (m) registryUrl = `http://${hostOf(m[1])}:${m[2]}`
        else if ((m = BROKER_RE.exec(line))) bootstrap = `${hostOf(m[1])}:${m[2]}`
        if (bootstrap && registryUrl && !done) {
          done = true
          clearTimeout(timer)
          resolve({ bootstrap, registryUrl })
        }
      })
      child.on('exit', (code, sig) => {
        if (!done) {
          clearTimeout(timer)
          reject(new Error(`server exited (${code}/${sig}) before listening\n${this.stderrTail()}`))
        }
      })
    })
  }

  async stop () {
    if (!this.child) return null
    const child = this.child
    this.child = null
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 15000)
    const { code, sig } = await this.exited
    clearTimeout(t)
    return sig ? `signal ${sig}` : code
  }

  stderrTail (n = 40) {
    try {
      const lines = fs.readFileSync(this.stderrPath, 'utf8').split('\n')
      return `---- server stderr (last ${n} lines) ----\n${lines.slice(-n).join('\n')}\n----`
    } catch (e) { return '(no stderr)' }
  }

  cleanup () {
    if (this.child) this.child.kill('SIGKILL')
    this.child = null
    if (!process.env.SLUICE_KEEP) fs.rmSync(this.work, { recursive: true, force: true })
    else console.log(`kept ${this.work}`)
  }
}

// ---- schemas ----------------------------------------------------------------------------------
const ORDER_V1 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'amount', type: 'double' },
  ],
}, null, 2) // pretty-printed on purpose: the registry keeps the text, ids follow the schema
// v1 + an optional field with a default: BACKWARD (and FORWARD) compatible
const ORDER_V2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
})
// v1 + a required field without a default: a v3 reader cannot read v1 data -> not BACKWARD
const ORDER_BAD = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'customer', type: 'string' },
  ],
})

const PAYMENT = JSON.stringify({
  type: 'record',
  name: 'Payment',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'cents', type: 'long' },
    { name: 'rate', type: 'double' },
    { name: 'ok', type: 'boolean' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['CARD', 'CASH', 'WIRE'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'memo', type: ['null', 'string'], default: null },
  ],
})

const SHIPMENT = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Shipment',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    dest: { type: 'string' },
    weight: { type: 'number' },
    fragile: { type: 'boolean' },
    items: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'dest'],
})

// ---- Kafka helpers ----------------------------------------------------------------------------
function kafkaClient (bs) {
  return new Kafka({
    clientId: 'sluice-interop-jsreg',
    brokers: [bs],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  })
}

// Consumes `want` records of topic with a fresh consumer group from the beginning; resolves
// to the records' {key, value} (Buffers) in offset order, or what arrived within timeoutMs.
async function consumeAll (kafka, topic, group, want, timeoutMs = 30000) {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 })
  const got = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      consumer.run({
        eachMessage: async ({ message }) => {
          got.push({ offset: Number(message.offset), key: message.key, value: message.value })
          if (got.length >= want) {
            clearTimeout(timer)
            resolve()
          }
        },
      })
    })
  } finally {
    await consumer.disconnect().catch(() => {})
  }
  return got.sort((a, b) => a.offset - b.offset)
}

// ---- the test ---------------------------------------------------------------------------------
async function restCalls (url) {
  const fresh = () => new SchemaRegistryClient({ baseURLs: [url] })
  const client = fresh()
  const S = 'cfjs-orders-value'
  const S2 = 'cfjs-other-value'

  section('register and fetch')
  const id1 = await step('register v1', () => client.register(S, { schemaType: 'AVRO', schema: ORDER_V1 }))
  check(Number.isInteger(id1) && id1 > 0, `register returns a positive id (${id1})`)
  eq(await step('re-register', () => fresh().register(S, { schemaType: 'AVRO', schema: ORDER_V1 })), id1,
    'the same schema again (fresh client, no cache) gets the same id')
  eq(await step('register compact text', () => fresh().register(S, { schemaType: 'AVRO', schema: JSON.stringify(JSON.parse(ORDER_V1)) })), id1,
    'the same schema with other whitespace gets the same id')
  eq(await step('register under S2', () => fresh().register(S2, { schemaType: 'AVRO', schema: ORDER_V1 })), id1,
    'the same schema under another subject gets the same id')
  const byId = await step('getBySubjectAndId', () => fresh().getBySubjectAndId(S, id1))
  eq(byId && JSON.parse(byId.schema), JSON.parse(ORDER_V1), 'fetch by id returns the schema')
  check(byId && (byId.schemaType === undefined || byId.schemaType === 'AVRO'), 'fetch by id: schemaType AVRO or omitted', J(byId))
  const latest = await step('getLatestSchemaMetadata', () => fresh().getLatestSchemaMetadata(S))
  eq(latest && [latest.subject, latest.version, latest.id], [S, 1, id1], 'latest version: subject, version 1, id')
  eq(latest && JSON.parse(latest.schema), JSON.parse(ORDER_V1), 'latest version: schema')
  const v1 = await step('getSchemaMetadata', () => fresh().getSchemaMetadata(S, 1))
  eq(v1 && [v1.subject, v1.version, v1.id], [S, 1, id1], 'version 1 by number')
  eq(await step('getId', () => fresh().getId(S, { schemaType: 'AVRO', schema: ORDER_V1 })), id1, 'lookup (POST /subjects/S) gives the id')
  eq(await step('getVersion', () => fresh().getVersion(S, { schemaType: 'AVRO', schema: ORDER_V1 })), 1, 'lookup gives the version')
  eq(await step('getAllVersions', () => fresh().getAllVersions(S)), [1], 'one version after three registrations of one schema')
  const subjects = await step('getAllSubjects', () => fresh().getAllSubjects())
  check(Array.isArray(subjects) && subjects.includes(S) && subjects.includes(S2), 'list subjects has both', J(subjects))

  section('compatibility')
  eq(await step('getDefaultCompatibility', () => fresh().getDefaultCompatibility()), 'BACKWARD', 'global level defaults to BACKWARD')
  eq(await step('testSubjectCompatibility v2', () => fresh().testSubjectCompatibility(S, { schemaType: 'AVRO', schema: ORDER_V2 })), true,
    'v2 (optional field with default) is compatible with latest')
  eq(await step('testCompatibility v2 @1', () => fresh().testCompatibility(S, 1, { schemaType: 'AVRO', schema: ORDER_V2 })), true,
    'v2 is compatible with version 1')
  eq(await step('testSubjectCompatibility bad', () => fresh().testSubjectCompatibility(S, { schemaType: 'AVRO', schema: ORDER_BAD })), false,
    'a new required field without default is not BACKWARD compatible')
  await expectRestError(() => fresh().register(S, { schemaType: 'AVRO', schema: ORDER_BAD }), 409, 409,
    'registering the incompatible schema: HTTP 409, error_code 409')
  const id2 = await step('register v2', () => client.register(S, { schemaType: 'AVRO', schema: ORDER_V2 }))
  check(Number.isInteger(id2) && id2 !== id1, `v2 gets a new id (${id2})`)
  eq(await step('versions', () => fresh().getAllVersions(S)), [1, 2], 'two versions')
  eq(await step('updateCompatibility NONE', () => fresh().updateCompatibility(S, 'NONE')), 'NONE', 'set subject level NONE')
  eq(await step('getCompatibility', () => fresh().getCompatibility(S)), 'NONE', 'subject level reads back NONE')
  eq(await step('getDefaultCompatibility 2', () => fresh().getDefaultCompatibility()), 'BACKWARD', 'global level unchanged')
  eq(await step('test bad under NONE', () => fresh().testSubjectCompatibility(S, { schemaType: 'AVRO', schema: ORDER_BAD })), true,
    'under NONE the schema is compatible')
  const id3 = await step('register bad under NONE', () => fresh().register(S, { schemaType: 'AVRO', schema: ORDER_BAD }))
  check(Number.isInteger(id3) && id3 !== id1 && id3 !== id2, `under NONE it registers (id ${id3})`)
  eq(await step('updateDefaultCompatibility FULL', () => fresh().updateDefaultCompatibility('FULL')), 'FULL', 'set global level FULL')
  eq(await step('getDefaultCompatibility 3', () => fresh().getDefaultCompatibility()), 'FULL', 'global level reads back FULL')
  eq(await step('updateDefaultCompatibility BACKWARD', () => fresh().updateDefaultCompatibility('BACKWARD')), 'BACKWARD', 'global level back to BACKWARD')
  const cfg = await step('getConfig', () => fresh().getConfig(S))
  eq(cfg && (cfg.compatibilityLevel || cfg.compatibility), 'NONE', 'getConfig(subject) says NONE')
  await expectRestError(() => fresh().updateCompatibility(S, 'SIDEWAYS'), 422, 42203, 'an unknown level: 422/42203')

  section('errors')
  await expectRestError(() => fresh().getLatestSchemaMetadata('cfjs-no-such-subject'), 404, 40401, 'unknown subject: 404/40401')
  await expectRestError(() => fresh().getSchemaMetadata(S, 99), 404, 40402, 'unknown version: 404/40402')
  await expectRestError(() => fresh().getBySubjectAndId(S2, 987654), 404, 40403, 'unknown id: 404/40403')
  const unrelated = await step('by id, unrelated subject', () => fresh().getBySubjectAndId('cfjs-unrelated', id1))
  eq(unrelated && JSON.parse(unrelated.schema), JSON.parse(ORDER_V1), '?subject= only picks the context: an id is found from any subject (as Confluent)')
  await expectRestError(() => fresh().register(S2, { schemaType: 'AVRO', schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"strin"}]}' }),
    422, 42201, 'invalid Avro schema: 422/42201')
  await expectRestError(() => fresh().register(S2, { schemaType: 'JSON', schema: '{"type": "object", "properties": ' }),
    422, 42201, 'JSON Schema that is not JSON: 422/42201')

  section('delete')
  eq(await step('deleteSubjectVersion', () => fresh().deleteSubjectVersion(S, 3)), 3, 'soft delete of version 3 answers 3')
  eq(await step('versions after', () => fresh().getAllVersions(S)), [1, 2], 'versions 1, 2 remain')
  eq(await step('deleteSubject', () => fresh().deleteSubject(S)), [1, 2], 'soft delete of the subject answers [1, 2]')
  const after = await step('subjects after', () => fresh().getAllSubjects())
  check(Array.isArray(after) && !after.includes(S) && after.includes(S2), 'the subject is no longer listed', J(after))
  await expectRestError(() => fresh().getLatestSchemaMetadata(S), 404, 40401, 'soft-deleted subject: 404/40401')
  const stillById = await step('by id after soft delete', () => fresh().getBySubjectAndId(S, id2))
  eq(stillById && JSON.parse(stillById.schema), JSON.parse(ORDER_V2), 'a soft-deleted schema is still readable by id')
  // a permanent delete removes (and lists) the soft-deleted versions too, as Confluent's does
  eq(await step('deleteSubject permanent', () => fresh().deleteSubject(S, true)), [1, 2, 3], 'permanent delete answers [1, 2, 3]')
  const byIdOther = await step('id1 via other subject', () => fresh().getBySubjectAndId(S2, id1))
  eq(byIdOther && JSON.parse(byIdOther.schema), JSON.parse(ORDER_V1), 'id1 is still served (S2 still uses it)')
  // a new registration after deletes must not reuse any id
  const id4 = await step('register after deletes', () => fresh().register(S, { schemaType: 'AVRO', schema: PAYMENT }))
  check(Number.isInteger(id4) && ![id1, id2, id3].includes(id4), `a new schema after deletes gets a new id (${id4})`)
}

async function roundTrips (url, bs) {
  const kafka = kafkaClient(bs)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'cfjs-avro', numPartitions: 1 }, { topic: 'cfjs-json', numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    section('Avro round trip (AvroSerializer -> kafkajs -> AvroDeserializer)')
    const client = new SchemaRegistryClient({ baseURLs: [url] })
    const avroId = await client.register('cfjs-avro-value', { schemaType: 'AVRO', schema: PAYMENT })
    const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
    const sent = []
    for (let i = 0; i < 25; i++) {
      sent.push({
        id: `p-${i}`,
        cents: 1000 * i + 7,
        rate: i / 8,
        ok: i % 2 === 0,
        kind: ['CARD', 'CASH', 'WIRE'][i % 3],
        tags: Array.from({ length: i % 4 }, (_, k) => `t${k}`),
        attrs: i % 3 ? { a: i, b: -i } : {},
        memo: i % 5 ? `memo ${i} é` : null,
      })
    }
    const bufs = []
    for (const m of sent) bufs.push(await ser.serialize('cfjs-avro', m))
    check(bufs.every((b) => b[0] === 0 && b.readInt32BE(1) === avroId), `every record is framed: magic 0 + id ${avroId}`,
      J(bufs.slice(0, 2).map((b) => b.slice(0, 5))))
    await producer.send({ topic: 'cfjs-avro', acks: -1, messages: bufs.map((b, i) => ({ key: `k${i}`, value: b })) })
    const got = await consumeAll(kafka, 'cfjs-avro', 'cfjs-avro-g', sent.length)
    eq(got.length, sent.length, `consumed ${sent.length} records`)
    const de = new AvroDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {})
    const decoded = []
    for (const r of got) decoded.push(await step('deserialize', () => de.deserialize('cfjs-avro', r.value)))
    eq(decoded, sent, 'decoded values equal what was produced')

    section('JSON Schema round trip (JsonSerializer -> kafkajs -> JsonDeserializer)')
    const jsonId = await client.register('cfjs-json-value', { schemaType: 'JSON', schema: SHIPMENT })
    check(Number.isInteger(jsonId) && jsonId !== avroId, `JSON Schema registered (id ${jsonId})`)
    const meta = await fresh(url).getLatestSchemaMetadata('cfjs-json-value')
    eq(meta && meta.schemaType, 'JSON', 'the subject\'s latest version says schemaType JSON')
    const jser = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true })
    const jsent = []
    for (let i = 0; i < 20; i++) {
      const o = { id: i, dest: `city-${i}`, weight: i * 1.5, fragile: i % 2 === 1 }
      if (i % 3 === 0) o.items = ['a', 'b'].slice(0, i % 2 + 1)
      jsent.push(o)
    }
    const jbufs = []
    for (const m of jsent) jbufs.push(await jser.serialize('cfjs-json', m))
    check(jbufs.every((b) => b[0] === 0 && b.readInt32BE(1) === jsonId), `every JSON record is framed with id ${jsonId}`)
    let rejected = false
    try {
      await jser.serialize('cfjs-json', { id: 'not a number', dest: 3 })
    } catch (e) { rejected = true }
    check(rejected, 'the serializer refuses an object that does not match the registered schema')
    await producer.send({ topic: 'cfjs-json', acks: -1, messages: jbufs.map((b) => ({ value: b })) })
    const jgot = await consumeAll(kafka, 'cfjs-json', 'cfjs-json-g', jsent.length)
    eq(jgot.length, jsent.length, `consumed ${jsent.length} JSON records`)
    const jde = new JsonDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, { validate: true })
    const jdecoded = []
    for (const r of jgot) jdecoded.push(await step('json deserialize', () => jde.deserialize('cfjs-json', r.value)))
    eq(jdecoded, jsent, 'decoded JSON values equal what was produced')

    section('Avro schema references (serialize/deserialize a record whose field type lives in another subject)')
    const ADDRESS = JSON.stringify({ type: 'record', name: 'Address', namespace: 'sluice.test', fields: [{ name: 'street', type: 'string' }, { name: 'zip', type: 'int' }] })
    const CUSTOMER = JSON.stringify({ type: 'record', name: 'Customer', namespace: 'sluice.test', fields: [{ name: 'name', type: 'string' }, { name: 'home', type: 'sluice.test.Address' }] })
    const addrId = await client.register('cfjs-address', { schemaType: 'AVRO', schema: ADDRESS })
    const custId = await client.register('cfjs-ref-value', { schemaType: 'AVRO', schema: CUSTOMER, references: [{ name: 'sluice.test.Address', subject: 'cfjs-address', version: 1 }] })
    check(Number.isInteger(custId) && custId !== addrId, `a schema with a reference registers (id ${custId})`)
    const cmeta = await fresh(url).getLatestSchemaMetadata('cfjs-ref-value')
    eq(cmeta && cmeta.references, [{ name: 'sluice.test.Address', subject: 'cfjs-address', version: 1 }], 'the version carries its reference')
    const rser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
    const cust = { name: 'Ada', home: { street: 'Kade 1', zip: 1011 } }
    const rbuf = await step('serialize with reference', () => rser.serialize('cfjs-ref', cust))
    check(rbuf && rbuf.readInt32BE(1) === custId, `framed with the referring schema's id ${custId}`)
    const rde = new AvroDeserializer(fresh(url), SerdeType.VALUE, {})
    eq(rbuf && await step('deserialize with reference', () => rde.deserialize('cfjs-ref', rbuf)), cust,
      'a fresh deserializer resolves the reference through the registry and decodes the value')
  } finally {
    await producer.disconnect().catch(() => {})
  }
}
const fresh = (url) => new SchemaRegistryClient({ baseURLs: [url] })

async function main () {
  const srv = new Server(findServer())
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { srv.cleanup(); process.exit(130) })
  try {
    const { bootstrap, registryUrl } = await srv.start()
    console.log(`server on ${bootstrap}, registry at ${registryUrl}`)
    await step('REST calls', () => restCalls(registryUrl))
    await step('round trips', () => roundTrips(registryUrl, bootstrap))
    section('clean stop')
    eq(await srv.stop(), 0, 'SIGTERM: server exits 0')
  } catch (e) {
    check(false, `test aborted: ${e.message}`, e.stack)
  } finally {
    if (failed) {
      console.log('\nfailed checks:')
      for (const f of failures) console.log(`  - ${f}`)
      console.log(srv.stderrTail(60))
    }
    srv.cleanup()
  }
  console.log(`\ntest_registry_confluent.js: ${((Date.now() - t0wall) / 1000).toFixed(1)} s`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed || !passed ? 1 : 0)
}

main()
