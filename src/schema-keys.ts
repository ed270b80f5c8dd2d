/** The keys a zod schema allows at a path inside the value it validates (for "unknown key; allowed: …" messages). */
import { z } from 'zod';

/** Strips wrappers (optional, nullable, default, preprocess) to reach the schema that shapes the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.out as z.ZodType;
    } else {
      return s;
    }
  }
}

/** The keys `root` allows for the object at `path`; empty when that is not an object. */
export function allowedKeysIn(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s = unwrap(root);
  for (const seg of path) {
    if (s instanceof z.ZodObject && typeof seg === 'string') {
      const next = (s.shape as Record<string, z.ZodType | undefined>)[seg];
      if (!next) return [];
      s = unwrap(next);
    } else if (s instanceof z.ZodArray) {
      s = unwrap(s.element as z.ZodType);
    } else if (s instanceof z.ZodRecord) {
      s = unwrap(s.valueType as z.ZodType);
    } else {
      return [];
    }
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}
