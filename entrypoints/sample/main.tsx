import { render } from 'preact';
import { browser } from 'wxt/browser';
import { pageRoot } from '@/components/page-root';
import { t } from '@/lib/i18n';
import { SampleApp } from './sample-app';

// The HTML's title and lang are the English fallbacks; the browser's language wins here.
document.title = t('samplePageTitle');
document.documentElement.lang = browser.i18n.getUILanguage();
render(<SampleApp />, pageRoot());
