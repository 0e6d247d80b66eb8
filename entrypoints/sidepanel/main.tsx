import { render } from 'preact';
import { SidePanelApp } from './side-panel-app';

render(<SidePanelApp />, document.getElementById('app')!);
