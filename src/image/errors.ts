// Errors a user can cause while building or pushing an image. The CLI maps them to exit codes:
// ImageInputError → 1 (the app, its Dockerfile or the flags), RegistryError → 3 (a registry that
// cannot be reached or refuses the request).

/** The app or its Dockerfile cannot be built as asked (exit 1). */
export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
}

/** A registry could not be reached, refused the credentials or refused the push (exit 3). */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    /** HTTP status when the registry answered, undefined when it could not be reached. */
    readonly status?: number,
  ) {
    super(message);
  }
}
