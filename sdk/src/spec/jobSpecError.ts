/** A spec document that is not a valid JobSpec; `path` is the JSON path of the first problem (`spec.resources.cpus`). */
export class JobSpecError extends Error {
  override readonly name = "JobSpecError";
  readonly path: string;
  // Plain fields, not parameter properties: Node's type stripping runs this file as is.
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}
