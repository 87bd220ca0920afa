// An error that becomes an application/problem+json answer.
export interface FieldError {
  /** Dotted path, e.g. `input.prompt`. */
  path: string;
  /** JSON pointer, e.g. `/input/prompt`. */
  pointer: string;
  keyword: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string): ApiError => new ApiError(404, 'not_found', `${what} ${id} not found`);
export const invalid = (detail: string, errors?: FieldError[]): ApiError => new ApiError(400, 'invalid_request', detail, errors);
