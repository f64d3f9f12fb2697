// Types of scripts/register.js (plain JavaScript: it must run before any TypeScript can).
export declare function warm(): { built: number; current: number };
