// What the program's entry (src/main.ts) hands to `agentctl serve`.
export { serve } from './serve.js';
