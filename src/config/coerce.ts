import { z } from 'zod';

/**
 * Booleans and numbers as LiteLLM (Python) accepts them in hand-written YAML and env-substituted
 * strings: "True"/"true"/"1", "300". Shared by schema.ts and status-schema.ts (which schema.ts
 * imports); json-schema.ts recognises these two instances to describe their text forms.
 */
export const bool = z.preprocess((v) => {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(s)) return true;
    if (['false', 'no', '0', 'off'].includes(s)) return false;
  }
  return v;
}, z.boolean());

export const num = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v), z.number().finite());
