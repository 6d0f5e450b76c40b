/**
 * Checks that clients and the server share without valibot (a widget chunk imports only these):
 * a form answer's values against the form's fields, and the path of this server's files.
 */
import { LIMITS } from './limits.js';
import type { FormBlock, FormField } from './blocks.js';

/** `/v1/files/<id>`: a file of this server's store, fetched with the reader's own credentials. */
export const FILE_PATH = /^\/v1\/files\/[\w-]{1,64}$/;

/** A pattern must compile (Unicode mode, as browsers compile `pattern`), or no value could ever be checked. */
export function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return true;
  } catch {
    // SyntaxError: the check reports it as a readable issue.
    return false;
  }
}

/** Why a form value was refused, for a client to word in its own language. */
export type FieldProblem = 'required' | 'email' | 'pattern' | 'too_long' | 'unknown';

// The shape of an address, as the widget's email field and the server's notify email check it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The problem with one field's value, or null when it fits. */
export function fieldProblem(field: FormField, value: string | undefined): FieldProblem | null {
  const val = (value ?? '').trim();
  if (!val) return field.required ? 'required' : null;
  if (val.length > LIMITS.maxFieldValueLength) return 'too_long';
  if (field.type === 'email' && !EMAIL.test(val)) return 'email';
  if (field.pattern && compiles(field.pattern) && !new RegExp(`^(?:${field.pattern})$`, 'u').test(val)) return 'pattern';
  return null;
}

/**
 * The first problem of an answer to `form`, naming the field, or null when every value fits.
 * Values for names the form does not have are refused (`unknown`).
 */
export function formProblem(form: FormBlock, values: Readonly<Record<string, string>>): { field: string; problem: FieldProblem } | null {
  const names = new Set(form.fields.map((f) => f.name));
  const stray = Object.keys(values).find((k) => !names.has(k));
  if (stray !== undefined) return { field: stray, problem: 'unknown' };
  for (const f of form.fields) {
    const problem = fieldProblem(f, values[f.name]);
    if (problem) return { field: f.name, problem };
  }
  return null;
}

