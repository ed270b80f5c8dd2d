/**
 * Where a case's evidence goes: a local folder or an S3 prefix. Every artefact is hashed (SHA-256) and appended to a
 * manifest whose entries are chained (each entry's hash covers the previous entry's hash).
 */
export interface EvidenceEntry {
  readonly seq: number;
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly recordedAt: string;
  /** SHA-256 over `prevChain + sha256 + name + recordedAt`; the first entry chains from 64 zeros. */
  readonly chain: string;
}

export interface EvidenceWriter {
  /** `file://…` or `s3://bucket/prefix/` of the case. */
  readonly location: string;
  /** Store an artefact (JSON is written pretty-printed) and append it to the manifest. Names are sanitized. */
  put(name: string, content: unknown): Promise<EvidenceEntry>;
}
