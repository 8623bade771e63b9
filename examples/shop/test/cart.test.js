import { test } from 'node:test';
import assert from 'node:assert/strict';
import { total } from '../src/cart.js';

test('total multiplies price by quantity', () => {
  assert.equal(
    total([
      { price: 250, qty: 2 },
      { price: 100, qty: 1 },
    ]),
    600,
  );
});
