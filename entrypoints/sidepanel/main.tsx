import { render } from 'preact';
import '@/components/panel.css';
import { SidePanelApp } from './side-panel-app';

// bench/panel.ts compares the panel with a named baseline, selected by ?render=plain: every row
// rendered at once and laid out (no progressive render, no content-visibility). Nothing else changes.
const plain = new URLSearchParams(location.search).get('render') === 'plain';
if (plain) document.documentElement.classList.add('render-plain');

render(<SidePanelApp plainRendering={plain} />, document.getElementById('app')!);
