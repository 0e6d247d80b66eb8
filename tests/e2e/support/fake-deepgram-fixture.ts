/**
 * The shared fixtures with a fake Deepgram upstream in front: the proxy runs with a Deepgram key
 * and relays to the fake, which answers with the given script. The fake is closed in teardown.
 */
import { startFakeUpstream, type FakeDeepgram, type FakeDeepgramOptions, type FakeUtterance } from '../../../testkit/upstream';
import { test as base } from './fixtures';

/**
 * `channelScripts`: what each channel of a multichannel stream (a meeting: tab, microphone) says; default `script` on every channel.
 * `pace`: audio per word (default the fake's 300 ms); slower speech keeps each line on the overlay longer.
 */
export function testWithFakeDeepgram(apiKey: string, script: FakeUtterance[], channelScripts?: FakeUtterance[][], pace: Pick<FakeDeepgramOptions, 'msPerWord'> = {}) {
  return base.extend<{ fakeDeepgram: FakeDeepgram }>({
    fakeDeepgram: async ({}, use) => {
      const fake = await startFakeUpstream({ mode: 'normal', apiKey, script, ...pace, ...(channelScripts === undefined ? {} : { channelScripts }) });
      try {
        await use(fake);
      } finally {
        await fake.close();
      }
    },
    proxyEnv: async ({ fakeDeepgram }, use) => {
      await use({ DEEPGRAM_API_KEY: apiKey, DEEPGRAM_URL: fakeDeepgram.url });
    },
  });
}
