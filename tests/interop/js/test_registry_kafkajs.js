#!/usr/bin/env node
// test_registry_kafkajs.js - kafkajs' schema registry client (@kafkajs/confluent-schema-registry
// 3.9, the last release that runs on Node 20) with kafkajs against a real sluice-server with its
// Schema Registry door.
//
// What is checked:
//   * register (Avro and JSON Schema) -> id; the same schema again -> the same id; the lookups
//     the library offers (getLatestSchemaId, getRegistryId by version, getRegistryIdBySchema);
//     the library's first-registration dance: GET /config/{subject} must answer 404 (no
//     subject-level level yet), after which it PUTs BACKWARD and checks it on every later
//     registration; an incompatible schema is refused (HTTP 409).
//   * encode/decode: framing (magic byte 0, 4-byte big-endian id), values decoded equal values
//     encoded, a payload that does not match the schema is refused, decoding v1 data with a v2
//     reader schema (Avro resolution: the new field takes its default).
//   * An Avro and a JSON Schema round trip through the broker: encoded with one registry client,
//     produced with kafkajs (acks=all), consumed with a kafkajs consumer group, decoded with a
//     fresh registry client (schema fetched by the id in the record).
//   * Across clients: @confluentinc/schemaregistry registering the same schema gets the same id,
//     and bytes written by its AvroSerializer decode here.
//
// Usage: node test_registry_kafkajs.js [BUILD_DIR | path/to/sluice-server]
'use strict'

const { spawn } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const readline = require('readline')
let kafkajs, ksr, sr
try {
  kafkajs = require('kafkajs')
  ksr = require('@kafkajs/confluent-schema-registry')
  sr = require('@confluentinc/schemaregistry')
} catch (e) {
  console.log(`FAIL a client is not installed: run \`npm ci\` in ${__dirname} (${e.message.split('\n')[0]})`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const { Kafka, logLevel } = kafkajs
const { SchemaRegistry, SchemaType } = ksr
const { SchemaRegistryClient, AvroSerializer, SerdeType } = sr

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
const USER_V1 = {
  type: 'record',
  name: 'User',
  namespace: 'sluice.kjs',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'emails', type: { type: 'array', items: 'string' } },
    { name: 'score', type: ['null', 'double'], default: null },
  ],
}
const USER_V2 = {
  ...USER_V1,
  fields: USER_V1.fields.concat([{ name: 'country', type: 'string', default: 'NL' }]),
}
const USER_BAD = {
  ...USER_V1,
  fields: USER_V1.fields.concat([{ name: 'ssn', type: 'string' }]),
}
const EVENT_JSON = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Event',
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['click', 'view', 'buy'] },
    at: { type: 'integer' },
    meta: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['kind', 'at'],
}

// ---- Kafka helpers ----------------------------------------------------------------------------
function kafkaClient (bs) {
  return new Kafka({
    clientId: 'sluice-interop-kjsreg',
    brokers: [bs],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  })
}

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

// The HTTP status of a rejected call (kafkajs' registry client puts it on error.status).
async function expectStatus (fn, status, what) {
  try {
    const r = await fn()
    return check(false, what, `expected HTTP ${status}, got success: ${J(r)}`)
  } catch (e) {
    return check(e && e.status === status, what, `expected HTTP ${status}, got ${e && e.name} ${e && e.status}: ${e && e.message}`)
  }
}

// A GET through plain HTTP, for what the library does not expose: [status, parsed body].
async function rawGet (url) {
  const r = await fetch(url, { headers: { Accept: 'application/vnd.schemaregistry.v1+json' } })
  let body = null
  try { body = await r.json() } catch (e) { /* not JSON */ }
  return [r.status, body]
}

// ---- the test ---------------------------------------------------------------------------------
async function registryCalls (url) {
  const fresh = () => new SchemaRegistry({ host: url })
  const reg = fresh()
  const S = 'kjs-users-value'

  section('register (Avro) and lookups')
  const [st0, cfg0] = await rawGet(`${url}/config/${S}`)
  eq([st0, cfg0 && cfg0.error_code], [404, 40408], 'before the first registration GET /config/S is 404/40408')
  const r1 = await step('register v1', () => reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V1) }, { subject: S }))
  const id1 = r1 && r1.id
  check(Number.isInteger(id1) && id1 > 0, `register returns {id} (${id1})`)
  const [st1, cfg1] = await rawGet(`${url}/config/${S}`)
  eq([st1, cfg1 && cfg1.compatibilityLevel], [200, 'BACKWARD'], 'the library set the subject\'s level to BACKWARD')
  const r1b = await step('register v1 again', () => fresh().register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V1) }, { subject: S }))
  eq(r1b && r1b.id, id1, 'the same schema again (fresh client) gets the same id; the level check passed')
  eq(await step('getLatestSchemaId', () => fresh().getLatestSchemaId(S)), id1, 'getLatestSchemaId')
  eq(await step('getRegistryId', () => fresh().getRegistryId(S, 1)), id1, 'getRegistryId(subject, 1)')
  eq(await step('getRegistryIdBySchema', () => fresh().getRegistryIdBySchema(S, { type: SchemaType.AVRO, schema: JSON.stringify(USER_V1) })), id1,
    'getRegistryIdBySchema (POST /subjects/S lookup)')
  const t = await step('getSchema', () => fresh().getSchema(id1))
  eq(t && t.name, 'sluice.kjs.User', 'getSchema(id) parses to the registered record')

  section('encode / decode')
  const u = { name: 'Ada', age: 36, emails: ['ada@example.org', 'a@b.c'], score: 9.5 }
  const buf = await step('encode', () => fresh().encode(id1, u))
  check(buf && buf[0] === 0 && buf.readInt32BE(1) === id1, `encoded bytes: magic 0, id ${id1}`, buf && buf.slice(0, 5).toString('hex'))
  eq(await step('decode', () => fresh().decode(buf)), u, 'decode(encode(v)) equals v (schema fetched by id)')
  let refused = null
  try { await fresh().encode(id1, { name: 'Bob', age: 'old', emails: [] }) } catch (e) { refused = e }
  check(refused && refused.name === 'ConfluentSchemaRegistryValidationError', 'a value that does not match the schema is refused', refused && refused.message)

  section('evolution')
  await expectStatus(() => fresh().register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_BAD) }, { subject: S }), 409,
    'an incompatible schema (new field without default) is refused with HTTP 409')
  const r2 = await step('register v2', () => fresh().register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V2) }, { subject: S }))
  const id2 = r2 && r2.id
  check(Number.isInteger(id2) && id2 !== id1, `v2 (new field with default) registers with a new id (${id2})`)
  eq(await step('getLatestSchemaId v2', () => fresh().getLatestSchemaId(S)), id2, 'latest id is v2\'s')
  eq(await step('getRegistryId v1 still', () => fresh().getRegistryId(S, 1)), id1, 'version 1 keeps its id')
  const asV2 = await step('decode with reader v2', () => fresh().decode(buf, { [SchemaType.AVRO]: { readerSchema: USER_V2 } }))
  eq(asV2, { ...u, country: 'NL' }, 'v1 data read with the v2 reader schema gets the default')
  return id1
}

async function roundTrips (url, bs, id1) {
  const kafka = kafkaClient(bs)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'kjs-avro', numPartitions: 2 }, { topic: 'kjs-json', numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    section('Avro round trip through the broker')
    const reg = new SchemaRegistry({ host: url })
    const { id } = await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V1) }, { subject: 'kjs-avro-value' })
    eq(id, id1, 'the same schema under the topic\'s subject has the same id')
    const sent = Array.from({ length: 30 }, (_, i) => ({
      name: `user-${i}-ü`,
      age: i * 3 - 10,
      emails: Array.from({ length: i % 3 }, (_, k) => `u${i}.${k}@example.org`),
      score: i % 4 ? i / 4 : null,
    }))
    const msgs = []
    for (let i = 0; i < sent.length; i++) msgs.push({ key: `u${i}`, value: await reg.encode(id, sent[i]) })
    await producer.send({ topic: 'kjs-avro', acks: -1, messages: msgs })
    const got = await consumeAll(kafka, 'kjs-avro', 'kjs-avro-g', sent.length)
    eq(got.length, sent.length, `consumed ${sent.length} records`)
    const dec = new SchemaRegistry({ host: url })
    const byKey = {}
    for (const r of got) byKey[r.key.toString()] = await step('decode', () => dec.decode(r.value))
    eq(sent.map((_, i) => byKey[`u${i}`]), sent, 'decoded values equal what was produced (matched by key)')

    section('JSON Schema round trip through the broker')
    const jr = await step('register JSON', () => reg.register({ type: SchemaType.JSON, schema: JSON.stringify(EVENT_JSON) }, { subject: 'kjs-json-value' }))
    const jid = jr && jr.id
    check(Number.isInteger(jid) && jid !== id1, `JSON Schema registered (id ${jid})`)
    const [stj, vj] = await rawGet(`${url}/subjects/kjs-json-value/versions/latest`)
    eq([stj, vj && vj.schemaType, vj && vj.id], [200, 'JSON', jid], 'GET latest says schemaType JSON and the id')
    const jsent = Array.from({ length: 15 }, (_, i) => {
      const o = { kind: ['click', 'view', 'buy'][i % 3], at: 1700000000000 + i }
      if (i % 2) o.meta = { page: `/p/${i}`, ref: 'x' }
      return o
    })
    const jmsgs = []
    for (const o of jsent) jmsgs.push({ value: await reg.encode(jid, o) })
    check(jmsgs.every((m) => m.value[0] === 0 && m.value.readInt32BE(1) === jid), `JSON records framed with id ${jid}`)
    let refused = null
    try { await reg.encode(jid, { kind: 'teleport', at: 1 }) } catch (e) { refused = e }
    check(refused !== null, 'a JSON value outside the schema (enum) is refused by encode')
    await producer.send({ topic: 'kjs-json', acks: -1, messages: jmsgs })
    const jgot = await consumeAll(kafka, 'kjs-json', 'kjs-json-g', jsent.length)
    eq(jgot.length, jsent.length, `consumed ${jsent.length} JSON records`)
    const jdec = []
    for (const r of jgot) jdec.push(await step('decode json', () => dec.decode(r.value)))
    eq(jdec, jsent, 'decoded JSON values equal what was produced')

    section('across clients (@confluentinc/schemaregistry)')
    const cc = new SchemaRegistryClient({ baseURLs: [url] })
    eq(await step('confluent register', () => cc.register('kjs-avro-value', { schemaType: 'AVRO', schema: JSON.stringify(USER_V1) })), id1,
      'Confluent\'s client registering the same schema gets the same id')
    const ser = new AvroSerializer(cc, SerdeType.VALUE, { useLatestVersion: true })
    const v = { name: 'Grace', age: 85, emails: ['grace@example.org'], score: null }
    const cbuf = await step('confluent serialize', () => ser.serialize('kjs-avro', v))
    eq(await step('kafkajs decode of confluent bytes', () => new SchemaRegistry({ host: url }).decode(cbuf)), v,
      'bytes from Confluent\'s AvroSerializer decode with kafkajs\' registry client')
  } finally {
    await producer.disconnect().catch(() => {})
  }
}

async function main () {
  const srv = new Server(findServer())
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { srv.cleanup(); process.exit(130) })
  try {
    const { bootstrap, registryUrl } = await srv.start()
    console.log(`server on ${bootstrap}, registry at ${registryUrl}`)
    const id1 = await step('registry calls', () => registryCalls(registryUrl))
    await step('round trips', () => roundTrips(registryUrl, bootstrap, id1))
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
  console.log(`\ntest_registry_kafkajs.js: ${((Date.now() - t0wall) / 1000).toFixed(1)} s`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed || !passed ? 1 : 0)
}

main()
