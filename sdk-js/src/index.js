// ESM entry for bundlers: import { init } from '@ashiato/sdk'.
export { init } from './tracker.js'
