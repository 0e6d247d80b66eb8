import { render } from 'preact';
import { pageRoot } from '@/components/page-root';
import '@/components/panel.css';
import { SidePanelApp } from './side-panel-app';

render(<SidePanelApp />, pageRoot());
