import { browser } from 'wxt/browser';
import { t } from '@/lib/i18n';
import { runCaptureHost } from '@/lib/session/capture-host';

// Firefox's capture host: this pinned tab holds the microphone for the session
// (lib/background/capture-tab.ts says why a tab), and says so to whoever opens it.
runCaptureHost();
document.title = t('firefoxCaptureTabTitle');
document.documentElement.lang = browser.i18n.getUILanguage();
const title = document.getElementById('title');
const explain = document.getElementById('explain');
if (title) title.textContent = t('firefoxCaptureTabTitle');
if (explain) explain.textContent = t('firefoxCaptureTabExplain');
