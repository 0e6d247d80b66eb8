/**
 * Typed wrappers over runtime messaging, so every context sends and receives `Message`s only.
 * UI code talks through these; tests can replace them with a fake.
 */
import { browser, type Browser } from 'wxt/browser';
import { isMessage, type Message, type MessageOf, type Responses } from './messages';

type RequestType = keyof Responses;

/**
 * Sends a request and returns its answer, or `undefined` when nobody answered (for example the
 * offscreen document does not exist because no session ever ran).
 */
export async function request<T extends RequestType>(
  message: MessageOf<T>,
): Promise<Responses[T] | undefined> {
  try {
    return (await browser.runtime.sendMessage(message)) as Responses[T] | undefined;
  } catch (error) {
    if (isNoReceiverError(error)) return undefined;
    throw error;
  }
}

/** Fire-and-forget: a broadcast nobody is listening to is not an error. */
export function broadcast(message: Message): void {
  browser.runtime.sendMessage(message).catch((error: unknown) => {
    if (!isNoReceiverError(error)) console.warn('[captionist] broadcast failed', message.type, error);
  });
}

export type MessageHandler = (
  message: Message,
  sender: Browser.runtime.MessageSender,
) => Promise<unknown> | undefined;

/**
 * Registers a handler. A handler answers by returning a Promise; returning undefined leaves the
 * message to other contexts (important: a listener that always returned a Promise would swallow
 * requests meant for the offscreen document).
 */
export function onMessage(handler: MessageHandler): () => void {
  const listener = (raw: unknown, sender: Browser.runtime.MessageSender) => {
    if (!isMessage(raw)) return undefined;
    if (sender.id !== browser.runtime.id) return undefined; // only our own contexts
    return handler(raw, sender);
  };
  // The polyfill's listener type expects `Promise<any> | true | void`; ours is a subset.
  browser.runtime.onMessage.addListener(listener as Parameters<typeof browser.runtime.onMessage.addListener>[0]);
  return () =>
    browser.runtime.onMessage.removeListener(listener as Parameters<typeof browser.runtime.onMessage.removeListener>[0]);
}

export function isNoReceiverError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /Receiving end does not exist|message port closed|Could not establish connection/i.test(text);
}
