// Declarations for the validators that scripts/build-schemas.mjs compiles from
// schemas/*.schema.json into dist/config/schema-validators.js at build time.
import type { ValidateFunction } from 'ajv';
export declare const validateConfig: ValidateFunction;
export declare const validateTeam: ValidateFunction;
export declare const validatePlan: ValidateFunction;
