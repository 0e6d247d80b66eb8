import { render } from 'preact';
import '@/components/panel.css';
import { SidePanelApp } from './side-panel-app';

// bench/panel.ts compares the panel with its rows rendered plainly (no content-visibility): a
// named baseline, selected by ?render=plain. It changes nothing but that one CSS rule.
if (new URLSearchParams(location.search).get('render') === 'plain') document.documentElement.classList.add('render-plain');

render(<SidePanelApp />, document.getElementById('app')!);
