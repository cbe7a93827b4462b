// jest-environment-jsdom lacks TextEncoder/TextDecoder, which react-router needs; Node's are the same API.
import { TextDecoder, TextEncoder } from 'node:util';

if (typeof globalThis.TextEncoder === 'undefined') Object.assign(globalThis, { TextEncoder, TextDecoder });
