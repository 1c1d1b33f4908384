// An answer's first error as the pages show it: its message, and its code (HTTP_<status> when the answer names none).

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The error an answer's JSON body (`{ errors: [...] }`, or null when the body was not JSON) holds, or null when it holds none. */
export function answerError(json, status) {
  const first = json && json.errors && json.errors[0];
  if (!first && json) return null;
  return new ApiError((first && first.extensions && first.extensions.code) || `HTTP_${status}`, first ? first.message : `HTTP ${status}`);
}
