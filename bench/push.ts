import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { commandLine } from '../src/lib/cli.js';
import { ApnsProvider } from '../src/notifications/providers/apns.js';
import { FcmProvider } from '../src/notifications/providers/fcm.js';
import type { PushMessage, PushTarget, SendOutcome } from '../src/notifications/providers/types.js';
import type { FcmServiceAccountFile } from '../test/helpers/push-fakes/fcm.js';
import type { PushSubscriptionJson } from '../test/helpers/push-fakes/web-push.js';
import { cpuMs } from './lib/cpu.js';
import { runAppBench } from './push-app.js';
import { selfCpuMs } from './lib/machine.js';
import { pinSelf, startProcess, stopProcess } from './lib/processes.js';
import { fmt, median } from './lib/stats.js';

/**
 * `npm run bench -- push [--phase all|providers|app] [--pushes 3000] [--concurrency 32] [--rounds 3]
 *  [--providers fcm,apns,web] [--requests 300] [--burst 2000]`
 *
 * Phase `app` (bench/push-app.ts, PostgreSQL): the added latency of POST /api/matches/request
 * with a push queued against none, and the pushes per second one `npm run worker` sends.
 *
 * Phase `providers`:
 * Pushes per second one sender process gets through each provider's real client code to the local
 * fakes (test/helpers/push-fakes, in a process of their own pinned to CPU 1; this process on
 * CPU 0), `concurrency` sends in flight, and the CPU each push costs the sender and the fake.
 * FCM goes over HTTPS/1.1 keep-alive, APNs over one TLS HTTP/2 connection, Web Push through the web-push library (aes128gcm encryption and a VAPID
 * JWT per push) over HTTPS keep-alive to 200 subscriptions.
 */

interface FakesInfo {
  fcm: { endpoint: string; ca: string; serviceAccount: FcmServiceAccountFile };
  apns: { endpoint: string; ca: string; key: string; keyId: string; teamId: string; topic: string };
  web: { origin: string; ca: string; subscriptions: PushSubscriptionJson[] };
}

type Sender = { name: string; send: (i: number) => Promise<SendOutcome>; close: () => Promise<void> };

const message: PushMessage = {
  kind: 'new_message',
  title: '지민님의 새 메시지',
  body: '안녕하세요! 사주 궁합이 92점이라니 신기해요. 이번 주말에 시간 괜찮으시면 커피 한잔 어떠세요?',
  data: { type: 'new_message', chat_id: '4242', message_id: '918273' },
  collapseKey: 'chat:4242',
  ttlSeconds: 86_400,
  deliveryId: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
};

function senders(info: FakesInfo, names: string[]): Sender[] {
  const all: Sender[] = [];
  if (names.includes('fcm')) {
    const a = info.fcm.serviceAccount;
    const fcm = new FcmProvider({
      serviceAccount: { projectId: a.project_id, clientEmail: a.client_email, privateKey: a.private_key, privateKeyId: a.private_key_id, tokenUri: a.token_uri },
      endpoint: info.fcm.endpoint,
      ca: info.fcm.ca,
    });
    all.push({ name: 'FCM HTTP v1', send: (i) => fcm.send({ platform: 'fcm', token: `fcm-device-${i % 1000}` }, message), close: () => fcm.close() });
  }
  if (names.includes('apns')) {
    const apns = new ApnsProvider({ ...info.apns, endpoint: info.apns.endpoint });
    const token = (i: number) => (i % 1000).toString(16).padStart(64, '0');
    all.push({ name: 'APNs HTTP/2', send: (i) => apns.send({ platform: 'apns', token: token(i) }, message), close: () => apns.close() });
  }
  if (names.includes('web')) {
    const vapid = webpush.generateVAPIDKeys();
    const vapidDetails = { subject: 'mailto:bench@saju-dating.example', publicKey: vapid.publicKey, privateKey: vapid.privateKey };
    const agent = new Agent({ ca: info.web.ca, keepAlive: true, maxSockets: 64 });
    const payload = JSON.stringify({ title: message.title, body: message.body, data: message.data });
    const send = async (i: number): Promise<SendOutcome> => {
      const target = info.web.subscriptions[i % info.web.subscriptions.length]!;
      const web: PushTarget = { platform: 'web', endpoint: target.endpoint, keys: target.keys };
      try {
        await webpush.sendNotification({ endpoint: web.endpoint, keys: web.keys }, payload, { vapidDetails, TTL: message.ttlSeconds, urgency: 'high', agent });
        return { outcome: 'delivered' };
      } catch (error) {
        return { outcome: 'retry', error: String(error) };
      }
    };
    all.push({ name: 'Web Push (web-push lib)', send, close: async () => agent.destroy() });
  }
  return all;
}

/** `total` sends, `concurrency` at a time; returns the outcomes that were not "delivered". */
async function drive(sender: Sender, total: number, concurrency: number, offset: number): Promise<string[]> {
  let next = 0;
  const failures: string[] = [];
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const outcome = await sender.send(offset + i);
      if (outcome.outcome !== 'delivered') failures.push(JSON.stringify(outcome));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return failures;
}

export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine(
    {
      command: 'npm run bench -- push',
      options: {
        pushes: { type: 'integer', default: 3000, min: 1, help: 'pushes per round and provider' },
        concurrency: { type: 'integer', default: 32, min: 1, help: 'sends in flight at once' },
        rounds: { type: 'integer', default: 3, min: 1, help: 'rounds per provider (the median is printed)' },
        providers: { type: 'string', default: 'fcm,apns,web', help: 'comma-separated: fcm, apns, web' },
        phase: { type: 'string', default: 'all', help: 'all, providers (clients to the fakes) or app (the server: latency and one worker)' },
        requests: { type: 'integer', default: 300, min: 10, max: 19_000, help: 'app: measured match requests with and without a push, each' },
        burst: { type: 'integer', default: 2000, min: 10, max: 19_000, help: 'app: pushes queued for the one-worker throughput' },
      },
    },
    args,
  );
  if (!['all', 'providers', 'app'].includes(o.phase)) {
    console.error('--phase: expected all, providers or app');
    process.exit(2);
  }
  if (o.phase !== 'app') {
    await pinSelf(0); // the sender; the fakes' process on CPU 1
    await providerPhase(o);
  }
  if (o.phase !== 'providers') {
    await pinSelf(1); // this process and the local FCM; the server and the worker on CPU 0
    await runAppBench({ requests: o.requests, burst: o.burst }, args);
  }
}

async function providerPhase(o: { pushes: number; concurrency: number; rounds: number; providers: string }): Promise<void> {
  const names = o.providers.split(',').map((p) => p.trim());
  const out = join(mkdtempSync(join(tmpdir(), 'push-bench-')), 'fakes.json');
  const fakes = await startProcess('bench/push-fakes-server.ts', { PUSH_FAKES_OUT: out }, { cpu: 1 });
  try {
    const info = JSON.parse(readFileSync(out, 'utf8')) as FakesInfo;
    console.log(`push providers → local fakes: ${o.pushes} pushes × ${o.rounds} rounds, ${o.concurrency} in flight; sender on CPU 0, fakes on CPU 1`);
    console.log('| provider | pushes/s (median) | rounds | sender CPU per push | fake CPU per push | not delivered |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const sender of senders(info, names)) {
      const warm = await drive(sender, 200, o.concurrency, 0); // connections, tokens, JIT
      if (warm.length > 0) throw new Error(`${sender.name} warm-up failed: ${warm[0]}`);
      const rates: number[] = [];
      const senderUs: number[] = [];
      const fakeUs: number[] = [];
      let failed = 0;
      for (let r = 0; r < o.rounds; r += 1) {
        const [self0, fake0, t0] = [selfCpuMs(), cpuMs(fakes.pid!), performance.now()];
        failed += (await drive(sender, o.pushes, o.concurrency, (r + 1) * o.pushes)).length;
        const seconds = (performance.now() - t0) / 1000;
        rates.push(o.pushes / seconds);
        senderUs.push(((selfCpuMs() - self0) * 1000) / o.pushes);
        fakeUs.push(((cpuMs(fakes.pid!) - fake0) * 1000) / o.pushes);
      }
      console.log(
        `| ${sender.name} | ${fmt(median(rates), 0)} | ${rates.map((r) => fmt(r, 0)).join(' / ')} | ${fmt(median(senderUs), 0)} µs | ${fmt(median(fakeUs), 0)} µs | ${failed} |`,
      );
      await sender.close();
    }
  } finally {
    await stopProcess(fakes);
  }
}
