/**
 * What a client is told when a shared limit refuses its stream: which limit, in words, and when to
 * try again where that is known (Retry-After). The extension maps the `error` field to a message
 * (lib/connection-test.ts).
 */
import type { Refusal } from '../http-refusal';

/** Upstream slots free up as other streams end; there is no schedule, so suggest a short wait. */
const UPSTREAM_RETRY_SECONDS = 30;
const UNAVAILABLE_RETRY_SECONDS = 5;

export function tooManyStreams(maxStreamsPerToken: number): Refusal {
  return {
    status: 429,
    error: 'too_many_streams',
    message: `This token already has ${maxStreamsPerToken} streams open, the most allowed.`,
  };
}

export function dailyAudioQuota(quotaSeconds: number, retryAfterSeconds: number): Refusal {
  const hours = Math.floor(retryAfterSeconds / 3600);
  const minutes = Math.ceil((retryAfterSeconds % 3600) / 60);
  return {
    status: 429,
    error: 'daily_audio_quota',
    message: `This token has used its ${formatSeconds(quotaSeconds)} of audio for today (UTC); it resets in ${hours} h ${minutes} min.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  };
}

export function upstreamCapacity(upstreamMaxStreams: number): Refusal {
  return {
    status: 429,
    error: 'upstream_capacity',
    message: `The team's speech-to-text account already has ${upstreamMaxStreams} streams open, as many as it may (UPSTREAM_MAX_STREAMS); try again in a minute.`,
    headers: { 'Retry-After': String(UPSTREAM_RETRY_SECONDS) },
  };
}

export function limitsUnavailable(): Refusal {
  return {
    status: 503,
    error: 'limits_unavailable',
    message: 'The proxy cannot reach its shared limits store (Redis) and is set to refuse new streams until it can (REDIS_DOWN=refuse); try again shortly.',
    headers: { 'Retry-After': String(UNAVAILABLE_RETRY_SECONDS) },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
