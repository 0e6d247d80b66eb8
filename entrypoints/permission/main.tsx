import { render } from 'preact';
import { PermissionApp } from './permission-app';

render(<PermissionApp />, document.getElementById('app')!);
