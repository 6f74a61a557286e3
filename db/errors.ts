export class DatabaseTooNewError extends Error {
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `The database ${path} was written by a newer Phenobook (schema ${fileVersion}; this app knows up to ${appVersion}). ` +
        'It was not opened or changed. Update Phenobook, or point --data-dir at another folder.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}
