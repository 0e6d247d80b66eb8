import { describe, expect, it } from 'vitest';
import { buildListenUrl, wantsArchiveSession, withStreamOffset } from '@/lib/listen/listen-url';
import { DEFAULT_SETTINGS, type ListenSettings } from '@/lib/settings';

const settings: ListenSettings = { ...DEFAULT_SETTINGS, model: 'nova-3', language: 'en-US', diarize: true, interimResults: true, smartFormat: true };

function params(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

describe('buildListenUrl', () => {
  it('sends the Deepgram live parameters for 16 kHz mono linear16 audio', () => {
    const url = buildListenUrl('wss://captions.example.com/v1/listen', settings);
    const p = params(url);
    expect(new URL(url).origin + new URL(url).pathname).toBe('wss://captions.example.com/v1/listen');
    expect(Object.fromEntries(p)).toEqual({
      model: 'nova-3',
      language: 'en-US',
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      punctuate: 'true',
      smart_format: 'true',
      diarize: 'true',
      mip_opt_out: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
    });
  });

  it('asks Deepgram not to keep the audio unless the user turned that off, whatever the base URL says', () => {
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen', settings)).get('mip_opt_out')).toBe('true');
    const off = params(buildListenUrl('ws://localhost:8787/v1/listen?mip_opt_out=true', { ...settings, mipOptOut: false }));
    expect(off.has('mip_opt_out')).toBe(false);
    const forced = params(buildListenUrl('ws://localhost:8787/v1/listen?mip_opt_out=false', settings));
    expect(forced.getAll('mip_opt_out')).toEqual(['true']);
  });

  it('adds each redaction kind once, to any the base URL names', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen?redact=pci', { ...settings, redact: ['pci', 'phi', 'numbers'] }));
    expect(p.getAll('redact')).toEqual(['pci', 'phi', 'numbers']);
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen', settings)).has('redact')).toBe(false);
  });

  it('leaves utterance_end_ms out without interim results (Deepgram refuses that pair)', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen?utterance_end_ms=1500', { ...settings, interimResults: false }));
    expect(p.get('interim_results')).toBe('false');
    expect(p.has('utterance_end_ms')).toBe(false);
  });

  it('writes settings switched off as explicit false', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen', { ...settings, diarize: false, smartFormat: false }));
    expect(p.get('diarize')).toBe('false');
    expect(p.get('smart_format')).toBe('false');
    expect(p.get('punctuate')).toBe('true');
  });

  it('keeps parameters the user configured on the base URL, including repeated ones', () => {
    const base = 'wss://dg.example.com/v1/listen?tag=team-a&keyterm=Captionist&keyterm=WXT&endpointing=500&utterance_end_ms=1500&vad_events=false';
    const p = params(buildListenUrl(base, settings));
    expect(p.getAll('keyterm')).toEqual(['Captionist', 'WXT']);
    expect(p.get('tag')).toBe('team-a');
    expect(p.get('endpointing')).toBe('500');
    expect(p.get('utterance_end_ms')).toBe('1500');
    expect(p.get('vad_events')).toBe('false');
  });

  it('overrides conflicting base parameters with the settings and the audio format, once each', () => {
    const base =
      'wss://dg.example.com/v1/listen?model=base&model=nova-2&encoding=opus&sample_rate=48000&channels=2&multichannel=true&language=de&diarize=false';
    const p = params(buildListenUrl(base, settings));
    expect(p.getAll('model')).toEqual(['nova-3']);
    expect(p.getAll('encoding')).toEqual(['linear16']);
    expect(p.get('sample_rate')).toBe('16000');
    expect(p.get('channels')).toBe('1');
    expect(p.get('language')).toBe('en-US');
    expect(p.get('diarize')).toBe('true');
    expect(p.has('multichannel')).toBe(false);
  });

  it('asks for two channels transcribed on their own for a meeting, whatever the base URL says', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen?channels=5&multichannel=false', settings, { channels: 2 }));
    expect(p.getAll('channels')).toEqual(['2']);
    expect(p.getAll('multichannel')).toEqual(['true']);
  });

  it('drops diarize_model when diarization is off, and keeps it when on', () => {
    const base = 'wss://dg.example.com/v1/listen?diarize_model=latest';
    expect(params(buildListenUrl(base, { ...settings, diarize: false })).has('diarize_model')).toBe(false);
    expect(params(buildListenUrl(base, settings)).get('diarize_model')).toBe('latest');
  });

  it('uses endpointing and utterance_end_ms from options when the base URL has none', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen', settings, { endpointingMs: 200, utteranceEndMs: 1200 }));
    expect(p.get('endpointing')).toBe('200');
    expect(p.get('utterance_end_ms')).toBe('1200');
  });

  it('accepts a URL object, trims spaces and drops a fragment (the WebSocket constructor rejects one)', () => {
    expect(buildListenUrl(new URL('ws://localhost:8787/v1/listen#x'), settings)).not.toContain('#');
    expect(buildListenUrl('  ws://localhost:8787/v1/listen  ', settings).startsWith('ws://localhost:8787/v1/listen?')).toBe(true);
  });

  it('encodes values that need it', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen', { ...settings, model: 'nova-3&x=1' }));
    expect(p.get('model')).toBe('nova-3&x=1');
    expect(p.has('x')).toBe(false);
  });

  it('sends the endpointing setting unless the base URL or the call sets it', () => {
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen', { ...settings, endpointingMs: 800 })).get('endpointing')).toBe('800');
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen?endpointing=500', { ...settings, endpointingMs: 800 })).get('endpointing')).toBe('500');
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen', { ...settings, endpointingMs: 800 }, { endpointingMs: 200 })).get('endpointing')).toBe('200');
  });

  it('adds the keyterms as repeated keyterm parameters on Nova-3, after any on the base URL, each once', () => {
    const url = buildListenUrl('wss://dg.example.com/v1/listen?keyterm=WXT', { ...settings, keyterms: ['Dana Scully', 'wxt', 'Captionist'] });
    expect(params(url).getAll('keyterm')).toEqual(['WXT', 'Dana Scully', 'Captionist']);
    expect(url).toContain('keyterm=Dana+Scully');
  });

  it('sends keyterms as keywords to models before Nova-3', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen', { ...settings, model: 'nova-2', keyterms: ['Dana'] }));
    expect(p.getAll('keywords')).toEqual(['Dana']);
    expect(p.has('keyterm')).toBe(false);
  });
});

describe('archive session on the listen URL', () => {
  it('adds captionist_session when asked, and never carries a base URL\'s captionist_offset', () => {
    const p = params(buildListenUrl('ws://localhost:8787/v1/listen?captionist_offset=99', settings, { archiveSession: 'capture-1234' }));
    expect(p.get('captionist_session')).toBe('capture-1234');
    expect(p.has('captionist_offset')).toBe(false);
    expect(params(buildListenUrl('ws://localhost:8787/v1/listen', settings)).has('captionist_session')).toBe(false);
  });

  it('withStreamOffset sets the connection\'s offset only when there is an archive session', () => {
    const plain = buildListenUrl('ws://localhost:8787/v1/listen', settings);
    expect(withStreamOffset(plain, 12.5)).toBe(plain);
    const archived = buildListenUrl('ws://localhost:8787/v1/listen', settings, { archiveSession: 'capture-1234' });
    expect(params(withStreamOffset(archived, 12.3456)).get('captionist_offset')).toBe('12.346');
    expect(params(withStreamOffset(withStreamOffset(archived, 1), 2)).getAll('captionist_offset')).toEqual(['2']);
    expect(params(withStreamOffset(archived, Number.NaN)).get('captionist_offset')).toBe('0');
  });
});

describe('opting in to the archive from the proxy URL', () => {
  it('captionist_session=auto asks for a fresh session per capture and is never sent as such', () => {
    const base = 'wss://captions.example.com/v1/listen?captionist_session=auto';
    expect(wantsArchiveSession(base)).toBe(true);
    expect(wantsArchiveSession('wss://captions.example.com/v1/listen')).toBe(false);
    expect(wantsArchiveSession('not a url')).toBe(false);
    expect(params(buildListenUrl(base, settings)).has('captionist_session')).toBe(false);
    expect(params(buildListenUrl(base, settings, { archiveSession: 'capture-5678' })).getAll('captionist_session')).toEqual(['capture-5678']);
  });
});
