/** The ONNX model folder cannot serve as an embedder; the message names the path and what is wrong. */
export class OnnxModelError extends Error {
  readonly code = 'MEMORY.ONNX_MODEL_UNUSABLE';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`ONNX embedder: ${path}: ${problem}`);
    this.name = 'OnnxModelError';
  }
}
