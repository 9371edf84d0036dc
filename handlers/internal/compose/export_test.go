package compose

// LoadSecrets lets the external tests, which build the concerns of the
// subpackages (they import this one), read the secrets as Build does.
var LoadSecrets = loadSecrets
