import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../bert/checkpoint';
import { PickleError } from '../io/pickle';
import { SafetensorsError } from '../io/safetensors';
import { SurfaceMergeError } from '../io/surfaceFile';
import { ZipError } from '../io/zip';
import { InputError, isInputError } from './errors';

describe('InputError', () => {
  it('every input error class extends it and keeps its own name', () => {
    for (const e of [
      new CheckpointError('c'),
      new PickleError('p'),
      new SafetensorsError('s'),
      new SurfaceMergeError('m'),
      new ZipError('z'),
    ]) {
      expect(e).toBeInstanceOf(InputError);
      expect(isInputError(e)).toBe(true);
      expect(e.name).not.toBe('InputError');
    }
  });

  it('a built-in RangeError or TypeError is a bug, not bad input', () => {
    let thrown: unknown;
    try {
      new Float32Array(-1);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect(isInputError(thrown)).toBe(false);
    expect(isInputError(new TypeError('x'))).toBe(false);
    expect(isInputError(Object.assign(new Error('x'), { name: 'InputError' }))).toBe(false);
  });

  it('keeps only the first line of a message', () => {
    expect(new CheckpointError('one\ntwo').message).toBe('one');
  });
});
