import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AutocmError } from '../../src/util/errors.js';
import { asWriteError } from '../../src/util/fs-errors.js';
import { writeFully, type WritableHandle } from '../../src/util/write-fully.js';

/** A file in memory whose writes take at most `chunk` bytes each, and fail with `failWith` once `capacity` bytes are stored. */
function fakeFile(chunk: number, capacity = Infinity, failWith = 'ENOSPC') {
  const bytes: number[] = [];
  const calls: number[] = [];
  const handle: WritableHandle = {
    async write(buffer, offset, length, position) {
      calls.push(length);
      const at = position ?? bytes.length;
      const room = Math.max(0, capacity - at);
      if (room === 0 && length > 0) throw Object.assign(new Error(`${failWith}: write failed`), { code: failWith });
      const n = Math.min(length, chunk, room);
      for (let i = 0; i < n; i++) bytes[at + i] = buffer[offset + i]!;
      return { bytesWritten: n };
    },
  };
  return { handle, bytes, calls };
}

test('writeFully writes the rest after short writes, at the right positions', async () => {
  const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
  const file = fakeFile(3);
  await writeFully(file.handle, data, 5, 'out.tif');
  assert.deepEqual(file.bytes.slice(5), [...data]);
  assert.deepEqual(file.calls, [10, 7, 4, 1], 'each call asks for what is left');
  const appended = fakeFile(4);
  await writeFully(appended.handle, data, null, 'log.jsonl');
  assert.deepEqual(appended.bytes, [...data]);
});

test('a disk that fills mid-write is an AutocmError naming the file and "disk full", not a silent cut', async () => {
  const file = fakeFile(1000, 6);
  await assert.rejects(writeFully(file.handle, new Uint8Array(10), 0, 'dir/out.tif'), (error: unknown) => {
    assert.ok(error instanceof AutocmError);
    assert.equal(error.file, 'dir/out.tif');
    assert.match(error.message, /^dir\/out\.tif: cannot write: disk full.*\(ENOSPC\)$/);
    return true;
  });
  assert.deepEqual(file.calls, [10, 4], 'the short write was followed by one that failed');
  const quota = fakeFile(1000, 2, 'EDQUOT');
  await assert.rejects(writeFully(quota.handle, new Uint8Array(4), 0, 'q.bin'), /q\.bin: cannot write: disk quota exceeded \(EDQUOT\)/);
});

test('a write that takes no byte at all fails instead of looping', async () => {
  const stuck: WritableHandle = { write: async () => ({ bytesWritten: 0 }) };
  await assert.rejects(writeFully(stuck, new Uint8Array(8), 0, 'x.bin'), /x\.bin: cannot write: the file system took none of the last 8 bytes/);
});

test('asWriteError: file-system errors become AutocmErrors, others pass unchanged', () => {
  const converted = asWriteError(Object.assign(new Error('EROFS: read-only'), { code: 'EROFS' }), 'a.tif');
  assert.ok(converted instanceof AutocmError);
  assert.match(converted.message, /a\.tif: cannot write: read-only file system \(EROFS\)/);
  const plain = new RangeError('a bug');
  assert.equal(asWriteError(plain, 'a.tif'), plain);
  const own = new AutocmError('mine', 'b.tif');
  assert.equal(asWriteError(own, 'a.tif'), own);
});
