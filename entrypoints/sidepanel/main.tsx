import { render } from 'preact';
import { pageRoot } from '@/components/page-root';
import '@/components/panel.css';
import { SidePanelApp } from './side-panel-app';

// bench/panel.ts compares the panel with a named baseline, selected by ?render=plain: every row
// rendered at once (no progressive render from the live end). Nothing else changes.
const plain = new URLSearchParams(location.search).get('render') === 'plain';

render(<SidePanelApp plainRendering={plain} />, pageRoot());
