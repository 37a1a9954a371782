import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { markPlatform } from './lib/shell/platform';

// Before the first render: the font stacks depend on it (app.css).
markPlatform(document.documentElement, navigator.userAgent);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
