/**
 * A credential value that cannot leak by accident: printing, logging, JSON-serializing or interpolating it
 * shows `[redacted]`. Only `reveal()` gives the value, and only the HTTP layer calls it.
 */
const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
