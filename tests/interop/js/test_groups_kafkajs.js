#!/usr/bin/env node
// test_groups_kafkajs.js - consumer groups (issue 3) with kafkajs 2.2.x.
//
// share:  three kafkajs consumers, each in its own child process (this file with --worker),
//         join one group over a six-partition topic and must own every partition exactly once.
//         One leaves (SIGTERM -> consumer.disconnect() -> LeaveGroup), another is killed with
//         SIGKILL (no LeaveGroup); the survivor must own all partitions within the session
//         timeout (+ a heartbeat and a rejoin). Records are produced the whole time; each is
//         processed at least once, none is lost, and since every member commits after each
//         record, no record is processed twice by the same member.
// pubsub: two groups each receive every record.
//
// The server is started through `python3 ../harness.py exec-pdeathsig` so it dies with us.
// Usage: node test_groups_kafkajs.js [BUILD_DIR | path/to/sluice-server]
//        (internal) node test_groups_kafkajs.js --worker BOOTSTRAP GROUP TOPIC SESSION_MS
'use strict'

const { spawn } = require('child_process')
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
const { Kafka, logLevel } = kafkajs

const PY = '/usr/bin/python3'
const HERE = __dirname
const HARNESS = path.join(HERE, '..', 'harness.py')
const LISTEN_RE = /broker listening on (\S+):(\d+)/
const SESSION_MS = 6000
const HEARTBEAT_MS = 1000
const NPARTS = 6
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function client (bs, id) {
  return new Kafka({
    clientId: id || 'sluice-groups-js',
    brokers: [bs],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
  })
}

function groupConsumer (kafka, groupId, sessionMs) {
  return kafka.consumer({
    groupId,
    sessionTimeout: sessionMs,
    heartbeatInterval: HEARTBEAT_MS,
    rebalanceTimeout: 10000,
    maxWaitTimeInMs: 100,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  })
}

// ---- worker (child process) -------------------------------------------------------------------
async function worker (bs, group, topic, sessionMs) {
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
  const consumer = groupConsumer(client(bs, 'js-worker'), group, sessionMs)
  consumer.on(consumer.events.REBALANCING, () => out({ ev: 'revoke' }))
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    out({ ev: 'assign', parts: (e.payload.memberAssignment || {})[topic] || [], member: e.payload.memberId })
  })
  consumer.on(consumer.events.CRASH, (e) => out({ ev: 'crash', error: String(e.payload.error) }))
  let stopping = false
  process.on('SIGTERM', async () => {
    if (stopping) return
    stopping = true
    try { await consumer.disconnect() } catch (e) { out({ ev: 'err', error: String(e) }) }
    out({ ev: 'closed' })
    process.exit(0)
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      out({ ev: 'rec', p: partition, o: Number(message.offset), v: message.value.toString() })
      try {
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
      } catch (e) {
        out({ ev: 'commiterr', p: partition, o: Number(message.offset), error: e.type || String(e) })
      }
    },
  })
  out({ ev: 'ready' })
}

// ---- results ----------------------------------------------------------------------------------
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
const J = (v) => String(JSON.stringify(v))
function eq (got, want, what) {
  const g = J(got)
  const w = J(want)
  return check(g === w, what, g === w ? undefined : `expected ${w.slice(0, 800)}\n got      ${g.slice(0, 800)}`)
}
const info = (m) => console.log(`   .. ${m}`)

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
    this.sets = sets
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-jsg-'))
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
          resolve(`${host}:${m[2]}`)
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

// ---- parent side of the share scenario -------------------------------------------------------
class Worker {
  constructor (name, bs, group, topic) {
    this.name = name
    this.owned = new Set()
    this.recs = []
    this.commitErrors = []
    this.closed = false
    this.dead = false
    this.stderr = ''
    // through exec-pdeathsig: a worker dies with this process even if we are SIGKILLed
    this.child = spawn(PY, [HARNESS, 'exec-pdeathsig', process.execPath, __filename, '--worker', bs, group, topic,
      String(SESSION_MS)], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.exited = new Promise((resolve) => this.child.on('exit', () => { this.dead = true; resolve() }))
    this.ready = new Promise((resolve) => { this._ready = resolve })
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      let e
      try { e = JSON.parse(line) } catch (x) { return }
      if (e.ev === 'ready') this._ready()
      else if (e.ev === 'assign') this.owned = new Set(e.parts)
      else if (e.ev === 'revoke') this.owned = new Set()
      else if (e.ev === 'rec') this.recs.push([e.p, e.o, e.v])
      else if (e.ev === 'commiterr') this.commitErrors.push(e)
      else if (e.ev === 'closed') this.closed = true
    })
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d.toString()).slice(-4000) })
  }

  async terminate () {
    this.child.kill('SIGTERM')
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20000)
    await this.exited
    clearTimeout(t)
  }

  async kill () {
    this.child.kill('SIGKILL')
    await this.exited
  }
}

function stableOwners (workers) {
  const live = workers.filter((w) => !w.dead)
  const all = live.flatMap((w) => [...w.owned]).sort((a, b) => a - b)
  if (J(all) !== J([...Array(NPARTS).keys()])) return null
  if (live.some((w) => w.owned.size === 0)) return null
  return Object.fromEntries(live.map((w) => [w.name, [...w.owned].sort()]))
}

async function waitFor (fn, ms) {
  const t0 = Date.now()
  while (Date.now() - t0 < ms) {
    const v = fn()
    if (v) return v
    await sleep(50)
  }
  return null
}

async function shareScenario (bs) {
  const topic = 'share-js'
  const group = 'g-share-js'
  const kafka = client(bs)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: NPARTS }], waitForLeaders: true })
  await admin.disconnect()
  const workers = [0, 1, 2].map((i) => new Worker(`w${i}`, bs, group, topic))
  try {
    const readyAll = await Promise.race([Promise.all(workers.map((w) => w.ready)).then(() => true), sleep(30000).then(() => false)])
    if (!check(readyAll, 'share: three kafkajs workers joined (consumer.run started)', workers.map((w) => w.stderr).join('\n'))) return
    let t = Date.now()
    let owners = await waitFor(() => stableOwners(workers), 45000)
    if (!check(owners && Object.keys(owners).length === 3, 'share: three members share the 6 partitions without overlap',
      J(workers.map((w) => [...w.owned])))) return
    info(`share: stable after ${((Date.now() - t) / 1000).toFixed(1)} s: ${J(owners)}`)

    // steady producer
    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    const acked = []
    const prodErrors = []
    let producing = true
    const feed = (async () => {
      let seq = 0
      while (producing) {
        const v = `r${seq}`
        const p = seq % NPARTS
        try {
          const r = await producer.send({ topic, acks: -1, messages: [{ value: v, partition: p }] })
          acked.push([r[0].partition, Number(r[0].baseOffset), v])
        } catch (e) { prodErrors.push(String(e)) }
        seq++
        await sleep(15)
      }
    })()
    await sleep(2000)

    // 1. leave
    t = Date.now()
    await workers[0].terminate()
    check(workers[0].closed, 'share: w0 disconnected cleanly (LeaveGroup)', workers[0].stderr)
    owners = await waitFor(() => stableOwners(workers), 30000)
    const leaveS = (Date.now() - t) / 1000
    check(owners && Object.keys(owners).length === 2, `share: after w0 left, w1 and w2 own every partition once (${leaveS.toFixed(1)} s)`,
      J(workers.slice(1).map((w) => [...w.owned])))
    check(owners && leaveS < SESSION_MS / 1000, 'share: a leave moves partitions faster than the session timeout')
    await sleep(2000)

    // 2. kill
    t = Date.now()
    await workers[1].kill()
    const got = await waitFor(() => workers[2].owned.size === NPARTS, SESSION_MS + 15000)
    const moved = (Date.now() - t) / 1000
    check(got, `share: after w1 was killed, w2 owns all ${NPARTS} partitions (${moved.toFixed(1)} s)`, J([...workers[2].owned]))
    check(got && moved <= SESSION_MS / 1000 + 2 * HEARTBEAT_MS / 1000 + 3,
      `share: the killed member's partitions moved within the session timeout (+ a heartbeat and a rejoin): ${moved.toFixed(1)} s`)
    await sleep(1500)
    producing = false
    await feed
    await producer.disconnect()
    check(prodErrors.length === 0, 'share: every record was acknowledged', J(prodErrors.slice(0, 3)))
    const want = new Map(acked.map(([p, o, v]) => [`${p}:${o}`, v]))
    const end = {}
    for (const [p, o] of acked) end[p] = Math.max(end[p] ?? -1, o)
    await waitFor(() => {
      const seen = {}
      for (const [p, o] of workers[2].recs) seen[p] = Math.max(seen[p] ?? -1, o)
      return Object.entries(end).every(([p, e]) => (seen[p] ?? -1) >= e)
    }, 30000)
    await workers[2].terminate()

    const processed = new Map()
    const wrong = []
    for (const w of workers) {
      for (const [p, o, v] of w.recs) {
        const k = `${p}:${o}`
        if (!processed.has(k)) processed.set(k, [])
        processed.get(k).push(w.name)
        if (want.has(k) && want.get(k) !== v) wrong.push([k, v, want.get(k)])
      }
    }
    const missing = [...want.keys()].filter((k) => !processed.has(k))
    info(`share: ${want.size} records produced, ${[...processed.values()].reduce((a, x) => a + x.length, 0)} processings`)
    check(want.size > 200, `share: enough records produced during the run (${want.size})`)
    check(missing.length === 0, 'share: every produced record was processed at least once', `missing ${missing.length}: ${missing.slice(0, 10)}`)
    check(wrong.length === 0, 'share: every processed record has the produced value', J(wrong.slice(0, 5)))
    const dups = [...processed.entries()].filter(([, ws]) => ws.length > 1)
    const sameMember = dups.filter(([, ws]) => new Set(ws).size < ws.length)
    check(sameMember.length === 0, 'share: no record processed twice by the same member (commit after each record)', J(sameMember.slice(0, 10)))
    check(dups.length <= 2 * NPARTS, `share: duplicates only where a partition moved (${dups.length}: ${J(dups.slice(0, 6))})`)
    info(`share: commit errors during rebalances: ${J(workers.flatMap((w) => w.commitErrors).slice(0, 4))}`)
  } finally {
    for (const w of workers) if (!w.dead) w.child.kill('SIGKILL')
  }
}

async function pubsub (bs) {
  const topic = 'pubsub-js'
  const n = 60
  const kafka = client(bs)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const msgs = [...Array(n).keys()].map((i) => ({ value: `m${i}`, partition: i % 3 }))
  await producer.send({ topic, acks: -1, messages: msgs })
  await producer.disconnect()
  const groups = ['g-js-a', 'g-js-b']
  const got = { 'g-js-a': [], 'g-js-b': [] }
  const consumers = []
  for (const g of groups) {
    const c = groupConsumer(kafka, g, SESSION_MS)
    await c.connect()
    await c.subscribe({ topic, fromBeginning: true })
    await c.run({ eachMessage: async ({ message }) => { got[g].push(message.value.toString()) } })
    consumers.push(c)
  }
  await waitFor(() => groups.every((g) => got[g].length >= n), 30000)
  await sleep(300)
  for (const c of consumers) await c.disconnect()
  const want = msgs.map((m) => m.value).sort()
  for (const g of groups) eq([...got[g]].sort(), want, `pubsub: group ${g} received every record once`)
}

async function main () {
  let srv
  try {
    srv = new Server(findServer(), { 'group.initial.rebalance.delay.ms': 0, 'auto.create.topics.enable': 'false' })
  } catch (e) {
    check(false, e.message)
    console.log(`${passed} passed, ${failed} failed`)
    process.exit(1)
  }
  try {
    const bs = await srv.start()
    console.log('\n== share')
    let t = Date.now()
    try { await shareScenario(bs) } catch (e) { check(false, `share: aborted: ${e.message}`, e.stack) }
    info(`share took ${((Date.now() - t) / 1000).toFixed(1)} s`)
    console.log('\n== pubsub')
    t = Date.now()
    try { await pubsub(bs) } catch (e) { check(false, `pubsub: aborted: ${e.message}`, e.stack) }
    info(`pubsub took ${((Date.now() - t) / 1000).toFixed(1)} s`)
    eq(await srv.stop(), 0, 'final SIGTERM: server exits with status 0')
  } catch (e) {
    check(false, `test aborted: ${e.message}`, e.stack)
  }
  if (failed) {
    console.log('\nfailed checks:\n' + failures.map((f) => `  - ${f}`).join('\n'))
    console.log(srv.stderrTail(60))
  }
  console.log(`\ntest_groups_kafkajs: ${((Date.now() - t0wall) / 1000).toFixed(1)} s`)
  console.log(`${passed} passed, ${failed} failed`)
  srv.cleanup()
  process.exit(failed || !passed ? 1 : 0)
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3], process.argv[4], process.argv[5], parseInt(process.argv[6], 10)).catch((e) => {
    process.stdout.write(JSON.stringify({ ev: 'crash', error: String(e) }) + '\n')
    process.exit(3)
  })
} else {
  main()
}
