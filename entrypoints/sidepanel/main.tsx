import { render } from 'preact';
import '@/components/panel.css';
import { SidePanelApp } from './side-panel-app';

render(<SidePanelApp />, document.getElementById('app')!);
