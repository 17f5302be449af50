/** The embedded models' sizes in bytes (`{ id: bytes }`), measured from public/models/<id> at build time. */
declare const __EMBEDDED_MODEL_BYTES__: Readonly<Record<string, number>>;

/** Bytes of an embedded model's folder as shipped (0 for an id that has no folder in public/models). */
export function embeddedModelBytes(id: string): number {
  return __EMBEDDED_MODEL_BYTES__[id] ?? 0;
}
