/** A job request refused before any transaction; `field` names the parameter (`maxPrice`, `requirements.gpuCount`). */
export class JobRequestError extends Error {
  override readonly name = "JobRequestError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
