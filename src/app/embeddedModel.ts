/** The embedded toy model's size in bytes, measured from public/models/toy-shapes at build time. */
declare const __EMBEDDED_MODEL_BYTES__: number;

export const EMBEDDED_MODEL_BYTES: number = __EMBEDDED_MODEL_BYTES__;
