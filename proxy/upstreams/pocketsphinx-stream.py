"""Decodes 16 kHz mono linear16 audio from stdin with pocketsphinx, as pocketsphinx_continuous
-time yes does (same library, same default settings, same 2048-sample reads, same utterance ends),
and also prints, while an utterance goes on, its partial hypothesis whenever it changes.

Output, flushed line by line:
- a final utterance exactly as pocketsphinx_continuous -time yes prints it: the hypothesis, then
  one `word start end confidence` line per segment (proxy/upstreams/pocketsphinx-output.ts);
- while an utterance goes on, after each read in which its hypothesis changed, the segments so far
  as one JSON line, which no line of a final can be: {"partial":[[word,start,end,confidence],...]}.
  The library scores a word's confidence only when the utterance ends; until then it reports 1.

`--no-partials` prints finals only (a client that asked for no interim results). `--check` only
says whether the binding and the model are installed (exit status 0), decoding nothing.
Exit status 127: python3-pocketsphinx or its model (pocketsphinx-en-us) is missing.
Started by proxy/upstreams/engine-decoder.ts with Debian's python3 and python3-pocketsphinx.
"""
import ctypes
import json
import os
import signal
import struct
import sys

MISSING = 127


def die_with_parent():
    """A proxy killed outright (SIGKILL, OOM) cannot kill its decoders: the kernel does it then.
    Loading the model and decoding a backlog take seconds before stdin's end would be noticed."""
    parent = int(os.environ.get('CAPTIONIST_PARENT_PID', os.getppid()))
    try:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        # The parent died before the request took effect (or before this process even ran).
        sys.exit(1)


die_with_parent()

try:
    from pocketsphinx import Decoder
except ImportError:
    sys.stderr.write('python3-pocketsphinx is not installed\n')
    sys.exit(MISSING)

# Where Debian's pocketsphinx-en-us puts the model pocketsphinx_continuous uses by default.
MODEL_DIR = '/usr/share/pocketsphinx/model/en-us'
MODEL_FILES = ('en-us', 'en-us.lm.bin', 'cmudict-en-us.dict')
# pocketsphinx_continuous reads 2048 samples at a time and asks after each read whether speech
# goes on; the same reads give the same utterance ends.
READ_BYTES = 2048 * 2


def as_float32(value):
    """The CLI keeps confidence in a C float before printing it."""
    return struct.unpack('f', struct.pack('f', value))[0]


def main():
    missing = [name for name in MODEL_FILES if not os.path.exists(os.path.join(MODEL_DIR, name))]
    if missing:
        sys.stderr.write('the pocketsphinx-en-us model is not installed (%s)\n' % ', '.join(missing))
        sys.exit(MISSING)
    if '--check' in sys.argv[1:]:
        return
    partials = '--no-partials' not in sys.argv[1:]
    config = Decoder.default_config()
    # What pocketsphinx_continuous sets by default (ps_default_search_args); nothing else differs.
    hmm, lm, dictionary = (os.path.join(MODEL_DIR, name) for name in MODEL_FILES)
    config.set_string('-hmm', hmm)
    config.set_string('-lm', lm)
    config.set_string('-dict', dictionary)
    config.set_string('-logfn', '/dev/null')
    decoder = Decoder(config)
    frame_rate = config.get_int('-frate')
    logmath = decoder.get_logmath()
    out = sys.stdout
    audio = sys.stdin.buffer

    def print_final():
        hypothesis = decoder.hyp()
        if hypothesis is not None:
            out.write(hypothesis.hypstr + '\n')
        for segment in decoder.seg():
            confidence = as_float32(logmath.exp(segment.prob))
            out.write('%s %.3f %.3f %f\n' % (segment.word, segment.start_frame / frame_rate, segment.end_frame / frame_rate, confidence))
        out.flush()

    last_partial = None

    def print_partial():
        nonlocal last_partial
        hypothesis = decoder.hyp()
        if hypothesis is None or hypothesis.hypstr == '' or hypothesis.hypstr == last_partial:
            return
        last_partial = hypothesis.hypstr
        words = [
            [segment.word, segment.start_frame / frame_rate, segment.end_frame / frame_rate, as_float32(logmath.exp(segment.prob))]
            for segment in decoder.seg()
        ]
        out.write(json.dumps({'partial': words}, separators=(',', ':')) + '\n')
        out.flush()

    decoder.start_utt()
    utterance_started = False
    while True:
        chunk = audio.read(READ_BYTES)
        if not chunk:
            break
        if len(chunk) % 2 == 1:
            chunk = chunk[:-1]
        decoder.process_raw(chunk, False, False)
        in_speech = decoder.get_in_speech()
        if in_speech and not utterance_started:
            utterance_started = True
        if not in_speech and utterance_started:
            decoder.end_utt()
            print_final()
            decoder.start_utt()
            utterance_started = False
            last_partial = None
        elif utterance_started and partials:
            print_partial()
    decoder.end_utt()
    if utterance_started:
        print_final()


if __name__ == '__main__':
    main()
