import { expect } from 'chai';
import { LibvirtError } from '../../src/errors/errors.js';

/** Awaits a promise that must reject with a LibvirtError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<LibvirtError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(LibvirtError);
    return e as LibvirtError;
  }
  throw new Error('expected a rejection');
}
