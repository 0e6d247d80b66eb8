/**
 * A microphone that plays a recorded file, for Firefox. Firefox's own fake device
 * (media.navigator.streams.fake) only makes a tone, so the speech goes through a private
 * PulseAudio server instead: a null sink that `paplay` plays the WAV into in real time, and a
 * source remapped from its monitor, which Firefox (given PULSE_SERVER) opens as its default
 * microphone. Debian's `pulseaudio` and `pulseaudio-utils` (scripts/install-deps.sh).
 *
 * Everything lives in a temporary folder (socket, runtime files) and the daemon runs without the
 * user's config (-n): nothing touches a desktop's own sound server. stop() ends the player and
 * the daemon and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface VirtualMic {
  /** PULSE_SERVER for the browser's environment. */
  server: string;
  /** Plays the WAV into the microphone at real speed; resolves when it has been played (or stopped). */
  play(wav: string): Promise<void>;
  /** Stops any playback and the daemon, removes the temporary folder. */
  stop(): Promise<void>;
}

export type VirtualMicResult = { ok: true; mic: VirtualMic } | { ok: false; message: string };

const SINK = 'captionist_speech';
const SOURCE = 'captionist_mic';

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startVirtualMic(timeoutMs = 10_000): Promise<VirtualMicResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'captionist-pulse-'));
  const socket = path.join(dir, 'native');
  const server = `unix:${socket}`;
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir, PULSE_SERVER: server };
  let output = '';
  // --system=false as root only warns; -n: none of the user's or the system's default modules.
  const daemon = spawn(
    'pulseaudio',
    [
      '-n',
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--use-pid-file=no',
      '--system=false',
      '--log-target=stderr',
      '-L',
      `module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      '-L',
      `module-null-sink sink_name=${SINK} rate=48000`,
      '-L',
      `module-remap-source source_name=${SOURCE} master=${SINK}.monitor`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  daemon.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const spawnError = new Promise<string>((resolve) => daemon.once('error', (error) => resolve(error.message)));
  const players = new Set<ChildProcess>();

  const stop = async () => {
    for (const player of players) player.kill('SIGTERM');
    await Promise.all([...players].map((player) => exited(player, 2_000)));
    daemon.kill('SIGTERM');
    await exited(daemon, 3_000);
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when its socket exists and the default source can be set to the speech.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<null>((resolve) => setTimeout(() => resolve(null), 200))]);
    if (failed !== null || daemon.exitCode !== null) {
      await stop();
      return { ok: false, message: `PulseAudio did not start (${failed ?? `exit ${daemon.exitCode}`}); install pulseaudio (scripts/install-deps.sh). ${output}` };
    }
    if (existsSync(socket) && (await run('pactl', ['set-default-source', SOURCE], env)) === 0) break;
    if (Date.now() > deadline) {
      await stop();
      return { ok: false, message: `PulseAudio did not become ready in ${timeoutMs} ms: ${output}` };
    }
  }

  const play = (wav: string) =>
    new Promise<void>((resolve) => {
      const player = spawn('paplay', ['-d', SINK, wav], { env, stdio: 'ignore' });
      players.add(player);
      player.once('exit', () => {
        players.delete(player);
        resolve();
      });
      player.once('error', () => resolve());
    });

  return { ok: true, mic: { server, play, stop } };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
}
