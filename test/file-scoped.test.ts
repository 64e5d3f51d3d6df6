/** Per-file derived data: forgotten when the scan is done with the file, kept while a held file still needs it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileScopedMap, holdFileScoped, releaseFileScoped } from '../src/core/file-scoped.js';

test('a release forgets what was set since the last one; a hold keeps its entries until called', () => {
  releaseFileScoped();
  const flows = new FileScopedMap<object, string>();
  const infos = new FileScopedMap<object, number>();
  const kubeFile = {};
  flows.set(kubeFile, 'kept for the cross-file rules');
  const release = holdFileScoped();
  const workflow = {};
  flows.set(workflow, 'derived').set({}, 'another');
  infos.set(workflow, 1);
  assert.equal(flows.get(workflow), 'derived');
  releaseFileScoped();
  assert.equal(flows.has(workflow), false);
  assert.equal(infos.get(workflow), undefined);
  assert.equal(flows.get(kubeFile), 'kept for the cross-file rules', 'a held file keeps its entries through later releases');
  release();
  assert.equal(flows.has(kubeFile), false);
  // Set again after a release: a fresh entry, itself forgotten by the next release.
  flows.set(workflow, 'again');
  assert.equal(flows.get(workflow), 'again');
  assert.equal(flows.delete(workflow), true);
  releaseFileScoped();
});
