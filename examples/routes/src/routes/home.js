module.exports = () => 'home';
