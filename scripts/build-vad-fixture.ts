/**
 * Rebuilds the labelled VAD fixture: writes testkit/vad/manifest.json (committed) and the
 * audio of each condition to .cache/vad-fixture (regenerated on demand by tests and the bench).
 * Usage: npx tsx scripts/build-vad-fixture.ts [--wav]   (--wav also writes .wav copies to listen to)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildVadFixture, CACHE_DIR, VAD_CONDITIONS, writeManifest } from '../testkit/vad/vad-fixture';

const { manifest, audio } = buildVadFixture();
writeManifest(manifest);
const counts = { S: 0, N: 0, x: 0 };
for (const ch of manifest.labels) counts[ch as keyof typeof counts]++;
console.log(
  `VAD fixture: ${(manifest.totalSamples / manifest.sampleRate).toFixed(2)} s, ${manifest.clips.length} clips, ` +
    `frames S=${counts.S} N=${counts.N} x=${counts.x}, speech RMS ${manifest.speechRmsDb} dBFS, silence bed ${manifest.silenceBedDb} dBFS`,
);
console.log(`onsets (s): ${manifest.onsets.map((t) => t.toFixed(3)).join(', ')}`);
if (process.argv.includes('--wav')) {
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const c of VAD_CONDITIONS) {
    const raw = join(CACHE_DIR, `${c}.s16`);
    writeFileSync(raw, new Uint8Array(audio[c].buffer));
    execFileSync('sox', ['-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', raw, join(CACHE_DIR, `${c}.wav`)]);
    console.log(`wrote ${join(CACHE_DIR, `${c}.wav`)}`);
  }
}
