/**
 * Request bodies: turns the input value of a body into what undici sends, once per call (redirects resend it as is).
 */
import { FormData } from 'undici';
import type { REQUEST_CONTENT_TYPES } from '../definition/model';
import { InvalidInputError } from './errors';
import { kindOf, textOf } from './values';

export type RequestContentType = (typeof REQUEST_CONTENT_TYPES)[number];

/** A body before encoding: the input value and how the API wants it written. */
export interface RequestBody {
  readonly contentType: RequestContentType;
  readonly value: unknown;
}

/** A file field of a multipart body; the bytes travel base64-encoded because activity inputs are JSON. */
export interface FilePart {
  readonly filename: string;
  readonly contentType?: string;
  readonly base64: string;
}

export interface EncodedBody {
  readonly payload: string | FormData;
  /** null: undici writes it (it holds the multipart boundary), so a content-type given by the caller must not be sent. */
  readonly contentType: string | null;
}

export function encodeBody({ contentType, value }: RequestBody): EncodedBody {
  switch (contentType) {
    case 'application/json':
      return { payload: JSON.stringify(value), contentType };
    case 'text/plain':
      return { payload: textOf(value), contentType: 'text/plain; charset=utf-8' };
    case 'application/x-www-form-urlencoded':
      // A string is taken as already encoded: some callers build the form themselves.
      return { payload: typeof value === 'string' ? value : urlEncoded(value), contentType };
    case 'multipart/form-data':
      return { payload: multipart(value), contentType: null };
  }
}

/** Calls `add` for each field of a form body: arrays repeat the field name, null and undefined are left out. */
function eachField(value: unknown, contentType: RequestContentType, add: (name: string, item: unknown) => void): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`a ${contentType} body must be an object of fields, got ${kindOf(value)}`);
  }
  for (const [name, field] of Object.entries(value)) {
    for (const item of Array.isArray(field) ? field : [field]) {
      if (item !== null && item !== undefined) add(name, item);
    }
  }
}

function urlEncoded(value: unknown): string {
  const form = new URLSearchParams();
  eachField(value, 'application/x-www-form-urlencoded', (name, item) => form.append(name, textOf(item)));
  return form.toString();
}

function multipart(value: unknown): FormData {
  const form = new FormData();
  eachField(value, 'multipart/form-data', (name, item) => {
    if (isFilePart(item)) {
      const bytes = Buffer.from(item.base64, 'base64');
      form.append(name, new Blob([bytes], { type: item.contentType ?? 'application/octet-stream' }), item.filename);
    } else {
      form.append(name, textOf(item));
    }
  });
  return form;
}

function isFilePart(item: unknown): item is FilePart {
  const part = item as Partial<FilePart> | null;
  return typeof part === 'object' && part !== null && typeof part.filename === 'string' && typeof part.base64 === 'string';
}
