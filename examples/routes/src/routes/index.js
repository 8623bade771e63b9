// Every route the app serves, by name: each has its module in this folder.
module.exports = [
  'home',
];
