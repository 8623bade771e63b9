// Loads the cart module the way a caller would and checks one total.
import { total } from '../src/cart.js';

const got = total([{ price: 2, qty: 3 }]);
if (got !== 6) {
  console.error(`smoke: expected total 6, got ${got}`);
  process.exit(1);
}
console.log('smoke: ok');
