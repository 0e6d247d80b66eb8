/**
 * The one module that sends and receives runtime messages (tests/unit/contract/border-guard.test.ts
 * keeps it so). Every direction of lib/contract/messages.ts has its sender and its receiver here;
 * every receiver checks the message's shape and its sender (lib/contract/senders.ts) before a
 * handler sees it, and drops anything else unanswered.
 *
 * A receiver that does not answer a message returns undefined, leaving it to other listeners; a
 * listener that always returned a Promise would swallow messages meant for another context.
 */
import { browser, type Browser } from 'wxt/browser';
import {
  CAPTURE_QUERY_SHAPES,
  isCaptureSettings,
  messageIn,
  OFFSCREEN_COMMAND_SHAPES,
  OFFSCREEN_EVENT_SHAPES,
  OFFSCREEN_RESPONSE_SHAPES,
  OVERLAY_REQUEST_SHAPES,
  OVERLAY_RESPONSE_SHAPES,
  PAGE_REQUEST_SHAPES,
  PAGE_RESPONSE_SHAPES,
  TAB_PUSH_SHAPES,
  type CaptureQuery,
  type CaptureQueryResponses,
  type CaptureSettings,
  type MessageOf,
  type OffscreenCommand,
  type OffscreenCommandType,
  type OffscreenEvent,
  type OffscreenResponses,
  type OverlayRequest,
  type OverlayRequestType,
  type OverlayResponses,
  type PageRequest,
  type PageRequestType,
  type PageResponses,
  type ShapeCheck,
  type TabPush,
} from './messages';
import {
  classifySender,
  isFromOffscreen,
  mayAskAsOverlay,
  mayAskAsPage,
  mayCommandOffscreen,
  isServiceWorker,
  type Sender,
  type SenderLike,
} from './senders';

export type PageSender = Extract<Sender, { kind: 'page' }>;
export type ContentScriptSender = Extract<Sender, { kind: 'content-script' }>;

/** One handler per request type of a direction, each answering with that type's response. */
export type Handlers<M extends { type: string }, R extends Record<M['type'], unknown>, From> = {
  readonly [T in M['type']]: (message: MessageOf<M, T>, from: From) => Promise<R[T]>;
};

function self() {
  return { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') };
}

export function isNoReceiverError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /Receiving end does not exist|message port closed|Could not establish connection/i.test(text);
}

/** Sends, and returns the answer if it has the expected shape; undefined when nobody answered. */
async function ask<T>(message: object, isAnswer: (value: unknown) => value is T): Promise<T | undefined> {
  let answer: unknown;
  try {
    answer = await browser.runtime.sendMessage(message);
  } catch (error) {
    if (isNoReceiverError(error)) return undefined;
    throw error;
  }
  return isAnswer(answer) ? answer : undefined;
}

function tell(message: { type: string }): void {
  browser.runtime.sendMessage(message).catch((error: unknown) => {
    if (!isNoReceiverError(error)) console.warn('[captionist] message not delivered', message.type, error);
  });
}

/** A receiver that sees the sender classified (lib/contract/senders.ts). */
function receive<M extends { type: string }>(
  shapes: Readonly<Record<M['type'], ShapeCheck>>,
  handle: (message: M, sender: Sender) => Promise<unknown> | undefined,
): () => void {
  return receiveFrom<M>(shapes, (message, sender) => handle(message, classifySender(sender, self())));
}

/**
 * The listener under every receiver: a message of the direction (`shapes`, checked field by field)
 * reaches `handle` with Chrome's description of its sender, which `handle` checks; anything else
 * is left alone. Returns the function that removes the listener.
 */
function receiveFrom<M extends { type: string }>(
  shapes: Readonly<Record<M['type'], ShapeCheck>>,
  handle: (message: M, sender: SenderLike) => Promise<unknown> | undefined,
): () => void {
  const listener = (raw: unknown, sender: Browser.runtime.MessageSender) => {
    const message = messageIn<M>(raw, shapes);
    if (!message) return undefined;
    return handle(message, sender);
  };
  // The polyfill's listener type expects `Promise<any> | true | void`; ours is a subset.
  type Listener = Parameters<typeof browser.runtime.onMessage.addListener>[0];
  browser.runtime.onMessage.addListener(listener as Listener);
  return () => browser.runtime.onMessage.removeListener(listener as Listener);
}

function answer<M extends { type: string }, From>(
  shapes: Readonly<Record<M['type'], ShapeCheck>>,
  handlers: Readonly<Record<M['type'], (message: never, from: From) => Promise<unknown>>>,
  allowed: (sender: Sender, type: M['type']) => { from: From } | null,
): () => void {
  return receive<M>(shapes, (message, sender) => {
    const verdict = allowed(sender, message.type);
    if (verdict === null) return undefined;
    const handler = handlers[message.type as M['type']] as (message: M, from: From) => Promise<unknown>;
    return handler(message, verdict.from);
  });
}

// ---- extension page -> background ----------------------------------------------------------

/** From the popup, side panel, options or permission page; undefined when the background did not answer. */
export function askBackground<T extends PageRequestType>(message: MessageOf<PageRequest, T>): Promise<PageResponses[T] | undefined> {
  const isAnswer = PAGE_RESPONSE_SHAPES[message.type] as (value: unknown) => value is PageResponses[T];
  return ask(message, isAnswer);
}

/** In the background: answers our own pages' requests, and nobody else's. */
export function answerPageRequests(handlers: Handlers<PageRequest, PageResponses, PageSender>): () => void {
  return answer<PageRequest, PageSender>(PAGE_REQUEST_SHAPES, handlers, (sender, type) => (mayAskAsPage(sender, type) ? { from: sender } : null));
}

// ---- content script -> background ----------------------------------------------------------

/** From the overlay: the background answers only the captured tab's top frame (null or not ok otherwise). */
export function askFromOverlay<T extends OverlayRequestType>(message: MessageOf<OverlayRequest, T>): Promise<OverlayResponses[T] | undefined> {
  const isAnswer = OVERLAY_RESPONSE_SHAPES[message.type] as (value: unknown) => value is OverlayResponses[T];
  return ask(message, isAnswer);
}

/** In the background: answers a content script in a tab's top frame. */
export function answerOverlayRequests(handlers: Handlers<OverlayRequest, OverlayResponses, ContentScriptSender>): () => void {
  return answer<OverlayRequest, ContentScriptSender>(OVERLAY_REQUEST_SHAPES, handlers, (sender) => (mayAskAsOverlay(sender) ? { from: sender } : null));
}

// ---- background -> offscreen document -------------------------------------------------------

/** From the background; undefined when no document is open (or it did not answer). */
export function askOffscreen<T extends OffscreenCommandType>(message: MessageOf<OffscreenCommand, T>): Promise<OffscreenResponses[T] | undefined> {
  const isAnswer = OFFSCREEN_RESPONSE_SHAPES[message.type] as (value: unknown) => value is OffscreenResponses[T];
  return ask(message, isAnswer).catch(() => undefined);
}

/** In the offscreen document: obeys the service worker only. */
export function answerOffscreenCommands(handlers: Handlers<OffscreenCommand, OffscreenResponses, null>): () => void {
  return answer<OffscreenCommand, null>(OFFSCREEN_COMMAND_SHAPES, handlers, (sender) => (mayCommandOffscreen(sender) ? { from: null } : null));
}

// ---- offscreen document -> background: its settings -----------------------------------------

/** From the offscreen document: the settings a start needs (it cannot read storage itself). */
export function askCaptureSettings(): Promise<CaptureSettings | undefined> {
  const query: CaptureQuery = { type: 'capture/settings' };
  return ask(query, isCaptureSettings);
}

/** In the background: answers the offscreen document only. */
export function answerCaptureQueries(handlers: Handlers<CaptureQuery, CaptureQueryResponses, null>): () => void {
  return answer<CaptureQuery, null>(CAPTURE_QUERY_SHAPES, handlers, (sender) => (isFromOffscreen(sender) ? { from: null } : null));
}

// ---- offscreen document -> everyone: events ------------------------------------------------

/** From the offscreen document; nobody listening (no page open) is fine. */
export function emitOffscreenEvent(event: OffscreenEvent): void {
  tell(event);
}

/** In the background and the pages: events from the offscreen document, and from nobody else. */
export function onOffscreenEvent(listener: (event: OffscreenEvent) => void): () => void {
  return receive<OffscreenEvent>(OFFSCREEN_EVENT_SHAPES, (event, sender) => {
    if (isFromOffscreen(sender)) listener(event);
    return undefined;
  });
}

// ---- background -> the captured tab ---------------------------------------------------------

/** From the background; a tab the overlay could not be injected into is skipped quietly. */
export function pushToTab(tabId: number, push: TabPush): void {
  browser.tabs.sendMessage(tabId, push).catch(() => undefined);
}

/** In the content script: pushes from the service worker, and from nobody else. */
export function onTabPush(listener: (push: TabPush) => void): () => void {
  return receiveFrom<TabPush>(TAB_PUSH_SHAPES, (push, sender) => {
    if (isServiceWorker(sender, self())) listener(push);
    return undefined;
  });
}
