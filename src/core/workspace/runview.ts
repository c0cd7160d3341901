// Kept for the front-ends' imports: loadConfigOrNull lives in config.ts.
export { loadConfigOrNull } from './config.js';
