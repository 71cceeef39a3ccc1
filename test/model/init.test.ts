import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameterSpecs, siameseLayers, siameseSpec, unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';

test('initParameters follows the Keras defaults for every U-Net parameter', () => {
  const layers = unetLayers(unetSpec(4));
  const params = initParameters(layers, 7);
  const specs = parameterSpecs(layers);
  assert.equal(params.size, specs.length);
  for (const spec of specs) {
    const values = params.get(spec.name)!;
    assert.equal(values.length, spec.shape.reduce((a, b) => a * b, 1), spec.name);
    if (spec.role === 'kernel') {
      const [kh, kw, c2, c3] = spec.shape as [number, number, number, number];
      const limit = Math.sqrt(6 / (kh * kw * (c2 + c3)));
      const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(max <= limit, `${spec.name}: ${max} > ${limit}`);
      // Uniform on [-limit, limit]: the largest of >= 16 draws comes near the limit, the variance is limit^2/3.
      assert.ok(max > 0.5 * limit, `${spec.name}: ${max} far below ${limit}`);
      if (values.length >= 1000) {
        const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
        assert.ok(Math.abs(variance / (limit * limit / 3) - 1) < 0.1, `${spec.name}: variance ${variance}`);
      }
    } else {
      const expected = spec.role === 'gamma' || spec.role === 'moving_variance' ? 1 : 0;
      assert.ok(values.every((v) => v === expected), `${spec.name} should be all ${expected}`);
    }
  }
});

test('initParameters is deterministic per seed and differs between seeds', () => {
  const layers = siameseLayers(siameseSpec(4));
  const a = initParameters(layers, 123);
  const b = initParameters(layers, 123);
  const c = initParameters(layers, 124);
  const name = 'sim.down0.conv0.kernel';
  assert.deepEqual(a.get(name), b.get(name));
  assert.notDeepEqual(a.get(name), c.get(name));
});
