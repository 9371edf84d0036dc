package compose

// LoadMasterKey lets the external tests, which build the concerns of the
// subpackages (they import this one), read the master key as Build does.
var LoadSecrets = loadSecrets
