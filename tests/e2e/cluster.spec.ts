/**
 * Several instances behind nginx (issue 14): three real proxy processes (proxy/main.ts) behind
 * Debian's nginx running proxy/deploy/nginx-cluster.conf, with a real redis-server whose URL each
 * instance gets (REDIS_URL), all in front of one deterministic upstream (as Deepgram would be for
 * all of them: testkit/upstream/hostile.ts, one word per 100 ms batch of audio, named by a
 * hash of its bytes, no garbage).
 *
 * The real extension in Chromium captures a tab playing LibriVox speech through nginx. The
 * instance holding the stream (found by each instance's own /healthz) gets SIGTERM mid-session;
 * the extension reconnects through nginx to another instance and replays; that instance is then
 * killed with SIGKILL; the extension reconnects to the last one. The saved transcript must hold
 * one word per 100 ms of captured audio from the first to the last (none lost, none twice), and
 * those words, in order, must be the upstream's words for that audio as one uninterrupted
 * connection would have heard it (network-faults.spec.ts checks the same against one instance).
 *
 * Plain ws:// on loopback between the browser and nginx (the extension allows ws:// only for
 * localhost); TLS through the same config is covered by tests/proxy/cluster-limits.test.ts and
 * nginx -t in tests/proxy/cluster-deploy.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../testkit/browser/launch';
import { startProxy, type ProxyProcess } from '../../testkit/servers/proxy-process';
import { LIBRIVOX_DIR } from '../../scripts/prepare-audio';
import { startClusterNginx, type ClusterNginx } from '../../testkit/servers/cluster-topology';
import { startRedis, type TestRedis } from '../../testkit/servers/redis-server';
import { startFakeUpstream, stitchConnections, type HostileUpstream } from '../../testkit/upstream';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup, turnOffVoiceGate } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { checkSlots, readSavedWords, waitForBacklogDrained } from './support/saved-words';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startSpeechPage } from '../../testkit/captions/speech-page';

const run = promisify(execFile);
const DEEPGRAM_KEY = 'cluster-upstream-key-for-e2e';
const clock = () => new Date().toISOString().slice(11, 19);

/** The five LibriVox clips twice over (about 50 s), as a 48 kHz stereo WAV for a page's <audio>. */
async function speechWav(): Promise<{ wav: string; seconds: number }> {
  const dir = path.join(REPO_ROOT, '.cache', 'audio');
  await mkdir(dir, { recursive: true });
  const clips = ['0870', '0880', '0890', '0920', '0930'].map((n) => path.join(LIBRIVOX_DIR, `sense_and_sensibility_01_austen_64kb-${n}.wav`));
  const wav = path.join(dir, 'cluster-48k-stereo.wav');
  if (!existsSync(wav) || (await stat(wav)).size === 0) {
    const tmp = `${wav}.${process.pid}.tmp`;
    await run('sox', ['--combine', 'concatenate', ...clips, '-t', 'wav', '-b', '16', '-r', '48000', '-c', '2', tmp, 'repeat', '1']);
    await rename(tmp, wav);
  }
  // 48 kHz, 2 channels, 16-bit: 192,000 bytes a second after the 44-byte header.
  return { wav, seconds: ((await stat(wav)).size - 44) / 192_000 };
}

interface Instance {
  name: string;
  port: number;
  process: ProxyProcess;
  /** false once this test has stopped or killed it. */
  alive: boolean;
}

interface Cluster {
  upstream: HostileUpstream;
  redis: TestRedis;
  instances: Instance[];
  nginx: ClusterNginx;
}

/** Streams an instance holds now, from its own /healthz (as an orchestrator reads it); null if it does not answer. */
async function streamsOn(instance: Instance): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${instance.port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { streams?: unknown };
    return typeof body.streams === 'number' ? body.streams : null;
  } catch {
    return null;
  }
}

/** The one live instance holding a stream, polled until there is exactly one (bounded). */
async function holder(cluster: Cluster, timeoutMs: number, exclude: readonly string[]): Promise<Instance> {
  let found: Instance | undefined;
  await expect
    .poll(
      async () => {
        const live = cluster.instances.filter((instance) => instance.alive && !exclude.includes(instance.name));
        const counts = await Promise.all(live.map(streamsOn));
        const holding = live.filter((_instance, index) => (counts[index] ?? 0) > 0);
        found = holding.length === 1 ? holding[0] : undefined;
        return found?.name ?? `none (${live.map((instance, index) => `${instance.name}: ${counts[index]}`).join(', ')})`;
      },
      { timeout: timeoutMs, intervals: [200], message: 'exactly one live instance holds the stream' },
    )
    .toMatch(/^proxy\d$/);
  return found as Instance;
}

const test = base.extend<{ cluster: Cluster }>({
  cluster: async ({ proxyToken }, use, testInfo) => {
    const cleanups: (() => Promise<void>)[] = [];
    const lines: string[] = [];
    let nginx: ClusterNginx | undefined;
    try {
      const upstream = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY });
      cleanups.push(() => upstream.close());
      const redis = await startRedis();
      cleanups.push(() => redis.close());
      const instances: Instance[] = [];
      for (const name of ['proxy1', 'proxy2', 'proxy3']) {
        const started = await startProxy({
          env: {
            DEEPGRAM_API_KEY: DEEPGRAM_KEY,
            DEEPGRAM_URL: upstream.url,
            CAPTIONIST_TOKENS: proxyToken,
            // As nginx-cluster.conf's header says: nginx on this computer is trusted, and the
            // public name is allowed.
            TRUSTED_PROXIES: '127.0.0.1',
            ALLOWED_HOSTS: 'captions.example.com',
            // The instances share their limits (proxy/limits/), as a team's deployment does.
            REDIS_URL: redis.url,
            LOG_LEVEL: 'info',
          },
          onLine: (line) => lines.push(`[${name}] ${line}`),
        });
        if (!started.ok) throw new Error(`${name}: ${started.message}`);
        const instance: Instance = { name, port: Number(new URL(started.proxy.url).port), process: started.proxy, alive: true };
        instances.push(instance);
        cleanups.push(() => started.proxy.stop(2_000));
      }
      nginx = await startClusterNginx({ instancePorts: instances.map((instance) => instance.port), tls: false });
      cleanups.push(() => nginx?.stop() ?? Promise.resolve());
      await use({ upstream, redis, instances, nginx });
    } finally {
      const logs = { nginxError: nginx?.errorLog() ?? '', nginxAccess: nginx?.accessLog() ?? '' };
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      await testInfo.attach('proxy-output.txt', { body: lines.join('\n'), contentType: 'text/plain' });
      await testInfo.attach('nginx-error.log', { body: logs.nginxError, contentType: 'text/plain' });
      await testInfo.attach('nginx-access.log', { body: logs.nginxAccess, contentType: 'text/plain' });
    }
  },
  // The extension is pointed at nginx, not at an instance.
  captionProxy: async ({ cluster }, use) => {
    await use({
      url: `${cluster.nginx.origin}/v1/listen`,
      engine: 'deepgram (three instances behind nginx)',
      pid: 0,
      output: () => '',
      stop: async () => undefined,
    });
  },
});

test.describe('several instances behind nginx', () => {

  test('tab capture through nginx: the instance holding the stream gets SIGTERM, the next one SIGKILL; one word per 100 ms, none lost, none twice', async ({
    app,
    cluster,
  }, testInfo) => {
    test.setTimeout(240_000);
    const began = Date.now();
    const step = (text: string) => console.log(`[cluster] ${clock()} ${text}`);
    const speech = await speechWav();
    // Every 100 ms batch must reach the socket, silence too.
    await turnOffVoiceGate(app);

    const page = await startSpeechPage(speech.wav, 'Captionist cluster test', false);
    try {
      const tab = await startCaptionsOnPlayingPage(app, page.url);
      const { upstream } = cluster;
      const wordsHeard = () => upstream.connections.reduce((n, c) => n + c.words.length, 0);

      // 1. Captions flow through nginx to one instance.
      const first = await holder(cluster, 15_000, []);
      step(`stream on ${first.name}`);
      await expect.poll(wordsHeard, { timeout: 20_000, message: 'audio reaches the upstream' }).toBeGreaterThan(60);

      // 2. SIGTERM the instance holding it: it drains (finals, 1001) and exits; the extension
      //    reconnects through nginx, which no longer reaches that instance.
      const terminatedAt = Date.now();
      first.alive = false;
      await first.process.stop(10_000);
      step(`${first.name} stopped by SIGTERM in ${Date.now() - terminatedAt} ms`);
      const second = await holder(cluster, 30_000, [first.name]);
      step(`stream moved to ${second.name}`);
      const connectionsBefore = upstream.connections.length;
      await expect
        .poll(() => upstream.connections.at(-1)?.words.length ?? 0, { timeout: 20_000, message: `audio flows on ${second.name}` })
        .toBeGreaterThan(60);

      // 3. SIGKILL the instance holding it now: no drain at all; the extension notices the dropped
      //    socket, reconnects through nginx (one instance dead, one killed: the next upstream) and replays.
      const killedAt = Date.now();
      second.alive = false;
      process.kill(second.process.pid, 'SIGKILL');
      await second.process.stop(2_000);
      const third = await holder(cluster, 30_000, [first.name, second.name]);
      step(`${second.name} killed; stream on ${third.name} after ${Date.now() - killedAt} ms`);
      expect(upstream.connections.length).toBeGreaterThan(connectionsBefore);
      // Captions of speech (not yet the silence after it) on the last instance.
      const onThird = upstream.connections.length;
      await expect
        .poll(() => upstream.connections[onThird - 1]?.words.length ?? 0, { timeout: 20_000, message: `audio flows on ${third.name}` })
        .toBeGreaterThan(30);
      await saveScreenshot(tab, testInfo, 'cluster-overlay-after-kill');

      // 4. The speech ends; the tab then sends digital silence. Once the live connection hears
      //    that silence, the backlog from both outages has been sent.
      await waitForBacklogDrained(tab, upstream, (speech.seconds + 60) * 1000);
      // What the user sees at the end (the silence after the speech), then the side panel.
      await saveScreenshot(tab, testInfo, 'cluster-overlay-end');
      await stopFromPopup(app, tab);
      const panel = await openSidePanel(app.context, app.extensionId);
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 10_000, message: 'side panel utterances' }).toBeGreaterThan(3);
      await saveScreenshot(panel, testInfo, 'cluster-side-panel');

      // The saved session, as any extension page reads it; one word per 100 ms slot, first to last.
      const words = await readSavedWords(panel);
      await panel.close();
      const { missing, repeated, capturedSeconds } = checkSlots(words);
      const reference = stitchConnections(upstream.connections);
      const figures = {
        instances: { sigterm: first.name, sigkill: second.name, survivor: third.name },
        upstreamConnections: upstream.connections.length,
        upstreamCloseCodes: upstream.connections.map((c) => c.closeCode ?? null),
        wordsCompared: words.length,
        referenceWords: reference.length,
        lost: missing.length,
        repeated: repeated.length,
        capturedSeconds,
        nginxConnectFailures: (cluster.nginx.errorLog().match(/connect\(\) failed/g) ?? []).length,
        runSeconds: Math.round((Date.now() - began) / 1000),
      };
      await saveText(testInfo, 'cluster-figures.json', JSON.stringify(figures, null, 2));
      step(JSON.stringify(figures));

      expect(new Set([first.name, second.name, third.name]).size, 'three different instances carried the stream').toBe(3);
      expect(upstream.connections.length, 'one upstream connection per instance').toBeGreaterThanOrEqual(3);
      expect(missing, 'slots without a word (lost audio)').toEqual([]);
      expect(repeated, 'slots with two words (duplicated audio)').toEqual([]);
      expect(words.length).toBeGreaterThan(speech.seconds * 10);
      // The same words, in the same order, as one uninterrupted connection would have given.
      expect(words.map((w) => w.text)).toEqual(reference);
    } finally {
      await page.server.close();
    }
  });
});
