/** The findings module's public surface: read GuardDuty input into the normalized model (see model.ts). */
export { parseDocument, parseRecord, readFindings, readRecordBatches, readRecords, type ParseBatch, type ParseOptions } from './read-input.js';
export { parseFindingType, tryParseFindingType, FINDING_TYPE_GRAMMAR } from './finding-type.js';
export { severityBand } from './severity.js';
export { DEFAULT_AI_TAG_KEYS, AI_PROTECTION_TYPES, instanceFamily } from './ai-context.js';
export { FINDING_DETAIL_TYPE, SCAN_RESULT_DETAIL_TYPE } from './record-shapes.js';
export type * from './model.js';
export { DEFAULT_INPUT_LIMITS, inputLimitsFromEnv, type InputLimits } from './input-limits.js';
export { MAX_NESTING } from './nesting.js';
