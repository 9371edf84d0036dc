//go:build bare_esdk && bare_select && !bare_kms

package main

// The Encryption SDK's keyring calls KMS: bare_esdk needs bare_kms too.
var _ = bare_esdk_needs_bare_kms
