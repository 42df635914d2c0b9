#!/usr/bin/env node
// test_kafkajs.js - kafkajs 2.2.x (pure JavaScript client) against a real sluice-server.
//
// What is checked with kafkajs itself: admin createTopics / listTopics / fetchTopicMetadata /
// describeConfigs / alterConfigs / createPartitions / fetchTopicOffsets /
// fetchTopicOffsetsByTimestamp / deleteTopics, and keyed produce (acks=-1) with the codecs
// kafkajs can use here: none and gzip (built in), snappy (kafkajs-snappy, pure JS) and lz4
// (kafkajs-lz4, an optional dependency with a native build; skipped with a message if it did
// not install). zstd is not tested: @kafkajs/zstd does not build on Node 20.
//
// What is NOT checked with kafkajs: consuming. The kafkajs consumer only works inside a
// consumer group (FindCoordinator/JoinGroup/SyncGroup...), which sluice does not serve yet. The
// records kafkajs wrote are read back with librdkafka instead (../dump_topic.py, assign()).
//
// The server is started from here (child_process, --kafka-port 0) through
// `python3 ../harness.py exec-pdeathsig`, so it dies with this process even on SIGKILL.
//
// Usage: node test_kafkajs.js [BUILD_DIR | path/to/sluice-server]
'use strict'

const { spawn, execFile } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const readline = require('readline')
let kafkajs
try {
  kafkajs = require('kafkajs')
} catch (e) {
  console.log(`FAIL kafkajs is not installed: run \`npm ci\` in ${__dirname} (${e.message.split('\n')[0]})`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const { Kafka, CompressionTypes, CompressionCodecs, logLevel, Partitioners, ConfigResourceTypes } = kafkajs

const PY = '/usr/bin/python3'
const HERE = __dirname
const HARNESS = path.join(HERE, '..', 'harness.py')
const DUMP = path.join(HERE, '..', 'dump_topic.py')
const TOPIC = 'interop-js'
const NPART = 3
const PER_SEND = 120
const KEYS = Array.from({ length: 20 }, (_, i) => `js-key-${String(i).padStart(2, '0')}`)
const LISTEN_RE = /broker listening on (\S+):(\d+)/

// ---- codecs -------------------------------------------------------------------------------
const CODECS = [['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP]]
try {
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy')
  CODECS.push(['snappy', CompressionTypes.Snappy])
} catch (e) {
  console.log(`SKIP codec snappy: kafkajs-snappy not installed (${e.message})`)
}
try {
  const LZ4 = require('kafkajs-lz4')
  CompressionCodecs[CompressionTypes.LZ4] = new LZ4().codec
  CODECS.push(['lz4', CompressionTypes.LZ4])
} catch (e) {
  console.log(`SKIP codec lz4: kafkajs-lz4 (optional, native lz4 build) not installed (${e.message.split('\n')[0]})`)
}
console.log('SKIP codec zstd: @kafkajs/zstd does not build on this Node version (native cppzst)')

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
const J = (v) => String(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x)))
function eq (got, want, what) {
  const g = J(got)
  const w = J(want)
  return check(g === w, what, g === w ? undefined : `expected ${w.slice(0, 800)}\n got      ${g.slice(0, 800)}`)
}
function section (t) { console.log(`\n== ${t}`) }

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

class Server {
  constructor (binary, sets) {
    this.binary = binary
    this.sets = sets || {}
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-js-'))
    this.dataDir = path.join(this.work, 'data')
    fs.mkdirSync(this.dataDir)
    this.stderrPath = path.join(this.work, 'server.stderr')
    this.child = null
  }

  start () {
    const args = [HARNESS, 'exec-pdeathsig', this.binary, '--data-dir', this.dataDir,
      '--kafka-port', '0', '--no-registry', '--no-sql']
    for (const [k, v] of Object.entries(this.sets)) args.push('--set', `${k}=${v}`)
    const errFd = fs.openSync(this.stderrPath, 'a')
    const child = spawn(PY, args, { stdio: ['ignore', 'pipe', errFd] })
    fs.closeSync(errFd)
    this.child = child
    this.exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no 'broker listening on' line within 15 s\n${this.stderrTail()}`))
      }, 15000)
      const rl = readline.createInterface({ input: child.stdout })
      let found = false
      rl.on('line', (line) => {
        const m = LISTEN_RE.exec(line)
        if (m && !found) {
          found = true
          clearTimeout(timer)
          let host = m[1]
          if (['', '0.0.0.0', '::', '[::]', '*'].includes(host)) host = '127.0.0.1'
          this.port = parseInt(m[2], 10)
          resolve(`${host}:${this.port}`)
        }
      })
      child.on('exit', (code, sig) => {
        if (!found) {
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

  killNow () {
    if (this.child) this.child.kill('SIGKILL')
    this.child = null
  }

  stderrTail (n = 40) {
    try {
      const lines = fs.readFileSync(this.stderrPath, 'utf8').split('\n')
      return `---- server stderr (last ${n} lines) ----\n${lines.slice(-n).join('\n')}\n----`
    } catch (e) { return '(no stderr)' }
  }

  cleanup () {
    this.killNow()
    if (!process.env.SLUICE_KEEP) fs.rmSync(this.work, { recursive: true, force: true })
    else console.log(`kept ${this.work}`)
  }
}

// ---- helpers ---------------------------------------------------------------------------------
function client (bs) {
  return new Kafka({
    clientId: 'sluice-interop-js',
    brokers: [bs],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  })
}

const b64 = (x) => (x === null || x === undefined ? null : Buffer.from(x).toString('base64'))

function dumpTopic (bs, nparts) {
  return new Promise((resolve) => {
    execFile(PY, [DUMP, bs, TOPIC, String(nparts), '20'], { maxBuffer: 64 << 20, timeout: 40000 },
      (err, stdout, stderr) => {
        const recs = {}
        let end = null
        for (const line of stdout.split('\n')) {
          if (!line.trim()) continue
          const o = JSON.parse(line)
          if (o.end) { end = o; continue }
          ;(recs[o.p] = recs[o.p] || []).push(o)
        }
        resolve({ recs, errors: (end ? end.errors : ['dump_topic.py did not finish']).concat(err ? [`exit: ${err.message}`, stderr.slice(-2000)] : []) })
      })
  })
}

// Sends `messages` in one producer.send and returns [{msg, partition, offset}] computed from
// the per-partition baseOffset kafkajs reports and the partitioner kafkajs uses.
async function sendKeyed (producer, partitionMetadata, messages, compression, what) {
  const partitioner = Partitioners.DefaultPartitioner()
  let res
  try {
    res = await producer.send({ topic: TOPIC, acks: -1, timeout: 15000, compression, messages })
  } catch (e) {
    check(false, `${what}: send ${messages.length} records`, e.stack)
    return []
  }
  const base = {}
  const bad = res.filter((r) => !(r.errorCode === 0 && r.topicName === TOPIC))
  check(bad.length === 0, `${what}: ${messages.length} records acknowledged (base offsets ${res.map((r) => `p${r.partition}@${r.baseOffset}`).join(' ')})`, J(bad))
  for (const r of res) base[r.partition] = BigInt(r.baseOffset)
  const seen = {}
  const out = []
  for (const m of messages) {
    const p = partitioner({ topic: TOPIC, partitionMetadata, message: m })
    const i = seen[p] || 0
    seen[p] = i + 1
    out.push({ msg: m, partition: p, offset: base[p] === undefined ? null : Number(base[p]) + i })
  }
  const missing = Object.keys(seen).filter((p) => base[p] === undefined)
  check(missing.length === 0, `${what}: a response for every partition written`, `missing ${missing}`)
  return out
}

function makeMessages (tag, n, t0, seq0) {
  const out = []
  for (let i = 0; i < n; i++) {
    const m = {
      key: KEYS[i % KEYS.length],
      value: `${tag}:${String(i).padStart(5, '0')}:` + 'xyz'.repeat(i % 40),
      timestamp: String(t0 + (seq0 + i) * 10),
    }
    if (i % 3 === 0) m.headers = { tag, n: String(i) }
    out.push(m)
  }
  return out
}

function expectedOf (delivered) {
  const exp = {}
  for (const d of delivered) {
    (exp[d.partition] = exp[d.partition] || []).push({
      o: d.offset,
      k: b64(d.msg.key),
      v: b64(d.msg.value),
      ts: Number(d.msg.timestamp),
      h: Object.entries(d.msg.headers || {}).map(([k, v]) => [k, b64(v)]),
    })
  }
  for (const p of Object.keys(exp)) exp[p].sort((a, b) => a.o - b.o)
  return exp
}

async function verifyRead (bs, exp, nparts, what) {
  const { recs, errors } = await dumpTopic(bs, nparts)
  check(errors.length === 0, `${what}: librdkafka reader saw no errors`, J(errors))
  const keyParts = {}
  for (let p = 0; p < nparts; p++) {
    const got = (recs[p] || []).map((r) => ({ o: r.o, k: r.k, v: r.v, ts: r.ts, h: r.h }))
    const want = exp[p] || []
    const same = J(got) === J(want)
    let detail
    if (!same) {
      detail = `got ${got.length} records, expected ${want.length}`
      for (let i = 0; i < Math.min(got.length, want.length); i++) {
        if (J(got[i]) !== J(want[i])) { detail += `; first difference at ${i}:\n got  ${J(got[i])}\n want ${J(want[i])}`; break }
      }
    }
    check(same, `${what}: partition ${p}: ${want.length} records exactly once, in order, key/value/timestamp/headers intact`, detail)
    for (const r of recs[p] || []) (keyParts[r.k] = keyParts[r.k] || new Set()).add(p)
  }
  const split = Object.entries(keyParts).filter(([, s]) => s.size > 1)
  check(Object.keys(keyParts).length > 0 && split.length === 0, `${what}: every key is stored in exactly one partition`, J(split.map(([k, s]) => [k, [...s]])))
  return recs
}

async function checkOffsets (admin, exp, what) {
  const offs = await admin.fetchTopicOffsets(TOPIC)
  const got = Object.fromEntries(offs.map((o) => [o.partition, [o.low, o.high]]))
  const want = Object.fromEntries([...Array(NPART).keys()].map((p) => [p, ['0', String((exp[p] || []).length)]]))
  eq(got, want, `${what}: fetchTopicOffsets low/high`)
  const allTs = Object.values(exp).flat().map((r) => r.ts).sort((a, b) => a - b)
  for (const t of [allTs[0] - 1000, allTs[Math.floor(allTs.length / 3)], allTs[allTs.length - 1], allTs[allTs.length - 1] + 1]) {
    const r = await admin.fetchTopicOffsetsByTimestamp(TOPIC, t)
    const g = Object.fromEntries(r.map((o) => [o.partition, String(o.offset)]))
    const w = {}
    for (let p = 0; p < NPART; p++) {
      const m = (exp[p] || []).find((x) => x.ts >= t)
      w[p] = String(m ? m.o : (exp[p] || []).length) // no match: kafkajs falls back to the high watermark
    }
    eq(g, w, `${what}: fetchTopicOffsetsByTimestamp(${t})`)
  }
}

// ---- the test --------------------------------------------------------------------------------
async function main () {
  const binary = findServer()
  const srv = new Server(binary, { 'auto.create.topics.enable': 'false' })
  process.on('exit', () => srv.cleanup())
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { srv.cleanup(); process.exit(130) })
  try {
    let bs = await srv.start()
    console.log(`   .. server ${binary} at ${bs}`)
    let kafka = client(bs)
    let admin = kafka.admin()
    await admin.connect()

    section('admin: create topic, metadata')
    eq(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: NPART, replicationFactor: 1 }], waitForLeaders: true, timeout: 10000 }), true,
      `createTopics ${TOPIC} (${NPART} partitions) returns true`)
    eq(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: NPART, replicationFactor: 1 }], timeout: 10000 }), false,
      'createTopics of an existing topic returns false (TOPIC_ALREADY_EXISTS)')
    check((await admin.listTopics()).includes(TOPIC), `listTopics includes ${TOPIC}`)
    const md = await admin.fetchTopicMetadata({ topics: [TOPIC] })
    const pm = md.topics[0].partitions.sort((a, b) => a.partitionId - b.partitionId)
    eq(pm.map((p) => [p.partitionId, p.partitionErrorCode, p.leader >= 0]), [...Array(NPART).keys()].map((p) => [p, 0, true]),
      `fetchTopicMetadata: ${NPART} partitions, no errors, each has a leader`)

    section('produce (keyed, acks=-1) with each codec')
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    const t0 = Date.now() - 3600 * 1000
    let seq = 0
    let delivered = []
    for (const [name, ctype] of CODECS) {
      for (let round = 0; round < 2; round++) {
        const msgs = makeMessages(`${name}${round}`, PER_SEND, t0, seq)
        seq += PER_SEND
        delivered = delivered.concat(await sendKeyed(producer, pm, msgs, ctype, `codec=${name} send #${round + 1}`))
      }
    }
    await producer.disconnect()
    let exp = expectedOf(delivered)
    for (let p = 0; p < NPART; p++) {
      const offs = (exp[p] || []).map((r) => r.o)
      eq(offs, offs.map((_, i) => i), `partition ${p}: offsets 0..${offs.length - 1} without gaps or overlap`)
    }

    section('read back (librdkafka, assign) and offsets')
    await verifyRead(bs, exp, NPART, 'read #1')
    await checkOffsets(admin, exp, 'before restart')
    await admin.disconnect()

    section('restart (SIGTERM)')
    eq(await srv.stop(), 0, 'SIGTERM: server exits with status 0')
    bs = await srv.start()
    console.log(`   .. server back at ${bs}`)
    kafka = client(bs)
    admin = kafka.admin()
    await admin.connect()
    await verifyRead(bs, exp, NPART, 'read #2 after restart')
    await checkOffsets(admin, exp, 'after restart')
    const producer2 = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner })
    await producer2.connect()
    delivered = delivered.concat(await sendKeyed(producer2, pm, makeMessages('after', 60, t0, seq), CompressionTypes.GZIP, 'after restart'))
    seq += 60
    exp = expectedOf(delivered)
    await verifyRead(bs, exp, NPART, 'read #3 (old + new; keys still in one partition each)')

    section('admin: configs, partitions, delete')
    const cfgOf = async () => {
      const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC }] })
      const r = d.resources[0]
      return { err: r.errorCode, cfg: Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])) }
    }
    let c = await cfgOf()
    check(c.err === 0 && 'retention.ms' in c.cfg && 'segment.bytes' in c.cfg, 'describeConfigs(topic) lists retention.ms and segment.bytes', J(c).slice(0, 500))
    try {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] })
      c = await cfgOf()
      eq(c.cfg['retention.ms'], '7200000', 'alterConfigs retention.ms=7200000 shows in describeConfigs')
    } catch (e) {
      check(false, 'alterConfigs retention.ms', e.stack)
    }
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 4 }], timeout: 10000 })
      check(true, 'createPartitions -> 4')
    } catch (e) {
      check(false, 'createPartitions -> 4', e.stack)
    }
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 2 }], timeout: 10000 })
      check(false, 'createPartitions to fewer partitions fails', 'it succeeded')
    } catch (e) {
      const t = (e.errors ? e.errors.map((x) => x.type) : [e.type]).concat([e.message])
      check(J(t).includes('INVALID_PARTITIONS'), 'createPartitions to fewer partitions fails with INVALID_PARTITIONS', J(t))
    }
    const md2 = await admin.fetchTopicMetadata({ topics: [TOPIC] })
    eq(md2.topics[0].partitions.length, 4, 'fetchTopicMetadata shows 4 partitions')
    await producer2.disconnect()
    // a fresh producer: kafkajs caches topic metadata (3 partitions) for metadataMaxAge
    const producer3 = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner })
    await producer3.connect()
    const p3 = await producer3.send({ topic: TOPIC, acks: -1, messages: [{ key: 'p3', value: 'in partition 3', partition: 3 }] })
    eq(p3.map((r) => [r.partition, r.errorCode, r.baseOffset]), [[3, 0, '0']], 'produce to new partition 3 lands at offset 0')
    await producer3.disconnect()
    try {
      await admin.deleteTopics({ topics: [TOPIC], timeout: 10000 })
      check(true, `deleteTopics ${TOPIC}`)
    } catch (e) {
      check(false, `deleteTopics ${TOPIC}`, e.stack)
    }
    let gone = false
    for (let i = 0; i < 50 && !gone; i++) {
      gone = !(await admin.listTopics()).includes(TOPIC)
      if (!gone) await new Promise((r) => setTimeout(r, 200))
    }
    check(gone, 'deleted topic is gone from listTopics')
    try {
      await admin.deleteTopics({ topics: ['js-no-such-topic'], timeout: 5000 })
      check(false, 'deleteTopics of an unknown topic fails', 'it succeeded')
    } catch (e) {
      // kafkajs retries, then throws; the protocol error is the cause (its type or message)
      const cause = e.originalError || e
      const t = [e.type, cause.type, e.message, cause.message]
      check(J(t).includes('UNKNOWN_TOPIC_OR_PARTITION') || J(t).includes('does not host this topic-partition'),
        'deleteTopics of an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION', J(t))
    }
    await admin.disconnect()
    eq(await srv.stop(), 0, 'final SIGTERM: server exits with status 0')
  } catch (e) {
    check(false, `test aborted: ${e.message}`, e.stack)
  }
  if (failed) {
    console.log('\nfailed checks:\n' + failures.map((f) => `  - ${f}`).join('\n'))
    console.log(srv.stderrTail(60))
  }
  console.log(`\ntest_kafkajs: ${((Date.now() - t0wall) / 1000).toFixed(1)} s`)
  console.log(`${passed} passed, ${failed} failed`)
  srv.cleanup()
  // Open client sockets or timers of a failed run must not keep node alive until the ctest
  // timeout: leave now (stdout to a pipe or file is written synchronously on Linux).
  process.exit(failed || !passed ? 1 : 0)
}

main()
