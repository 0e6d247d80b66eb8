import { runCaptureHost } from '@/lib/session/capture-host';

// Chrome's capture host: the offscreen document owns capture, the socket and saving for the whole
// session (Firefox's is a pinned tab, entrypoints/capture/); both run the same wiring.
runCaptureHost();
