/**
 * The in-memory Word2Sense model shared by training, queries, the app and WordCtx2Sense. Its file
 * form is one safetensors file (modelFile.ts); the names here are a contract other parts code to.
 */
export interface Word2SenseModel {
  vocab: string[];
  /** [V] corpus (or row-total) counts of each word. */
  wordCounts: number[];
  V: number;
  K: number;
  Kmerged: number;
  /** [K*V] row-major, rows sum to 1 (sense → word distribution). */
  beta: Float32Array;
  /** [V*K] row-major, rows sum to 1 (word → sense distribution). */
  theta: Float32Array;
  /** [V] p(w). */
  pWord: Float32Array;
  /** [K] p_Z(z) = Σ_w p(w) θ[w,z]. */
  pSense: Float32Array;
  /** [K] merged sense id (0..Kmerged-1) of each raw sense. */
  merge: Int32Array;
  /** CSR [V × Kmerged], rows L1-normalised, indices ascending. */
  embedding: { indptr: Int32Array; indices: Int32Array; values: Float32Array };
  hyperparameters: Record<string, unknown>;
}

/** word → index. */
export function wordIndex(model: Word2SenseModel): Map<string, number> {
  return new Map(model.vocab.map((w, i) => [w, i]));
}

/** A word's embedding row as a sparse vector (views, no copy). */
export function embeddingRow(model: Word2SenseModel, w: number): { indices: Int32Array; values: Float32Array } {
  const a = model.embedding.indptr[w];
  const b = model.embedding.indptr[w + 1];
  return { indices: model.embedding.indices.subarray(a, b), values: model.embedding.values.subarray(a, b) };
}

/** The uniform vector over the merged senses, used for out-of-vocabulary words. */
export function uniformEmbedding(model: Word2SenseModel): { indices: Int32Array; values: Float32Array } {
  const n = model.Kmerged;
  return { indices: Int32Array.from({ length: n }, (_, i) => i), values: new Float32Array(n).fill(1 / n) };
}

/** Embedding of a word, or the uniform vector when it is out of vocabulary. */
export function embeddingOf(
  model: Word2SenseModel,
  index: Map<string, number>,
  word: string,
): { indices: Int32Array; values: Float32Array; oov: boolean } {
  const w = index.get(word);
  if (w === undefined) return { ...uniformEmbedding(model), oov: true };
  return { ...embeddingRow(model, w), oov: false };
}
