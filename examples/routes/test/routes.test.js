const { test } = require('node:test');
const assert = require('node:assert');
const isNumber = require('is-number');
const routes = require('../src/routes/index.js');

test('every listed route has a module that answers', () => {
  for (const name of routes) assert.strictEqual(typeof require(`../src/routes/${name}.js`)(), 'string', name);
});

test('the dependency from the lock file is installed', () => {
  assert.ok(isNumber(routes.length));
});
