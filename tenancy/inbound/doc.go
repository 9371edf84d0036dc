// Package inbound handles Cognito's inbound federation trigger
// (InboundFederation_ExternalProvider, Lambda version V1_0) for a
// multi-tenant pool: it writes the tenant of the enterprise identity
// provider a user signs in through into the user's attributes, refuses
// sign-ins of suspended tenants, and cuts attribute values to the length
// Cognito stores, so that one over-long claim does not fail the sign-in.
//
// Cognito calls the trigger on every federated sign-in, first or not,
// before it creates or updates the user ("Inbound federation Lambda
// trigger", Amazon Cognito Developer Guide). The response's
// userAttributesToMap replaces what the provider sent: {} keeps every
// attribute as if no function ran, and an attribute left out of a
// non-empty map is dropped. So a Handler that changes anything returns
// every attribute the provider sent, changed as follows:
//
//   - the tenant attribute (Config.Attribute, default
//     tenancy.TenantAttribute) is set from Config.Providers or
//     Config.Lookup, keyed by request.providerName; whatever the provider
//     itself sent under that name or tenancy.TenantAttribute (in
//     any case) is dropped, because a claim of an external provider must
//     never choose a tenant;
//   - values longer than 2,048 characters ("Mapping IdP attributes to
//     profiles and tokens": longer mapped values fail the sign-in) are cut
//     on a character boundary;
//   - a provider with no tenant is let through unchanged (PassUnmapped,
//     the default; a tenant attribute it sends is still dropped) or
//     refused (RefuseUnmapped).
//
// Cognito applies the provider's attribute mapping to the attributes the
// trigger returns ("...before the user profile is created and user
// attributes are mapped in your user pool", AWS Security Blog, "Customize
// federated sign-in with new Amazon Cognito Lambda trigger"). Map
// Config.Attribute to the tenant attribute in every provider's attribute
// mapping (for the default, custom:tenantId=custom:tenantId), and map no
// other provider claim to it.
//
// A mapped attribute must be in the WriteAttributes of every app client
// that signs users in through the provider, or Cognito fails the sign-in
// ("If your app client allows users to sign in through an IdP, this array
// must include all attributes that you have mapped to IdP attributes",
// Amazon Cognito API Reference, "UserPoolClientType"), and it must be
// mutable ("SchemaAttributeType"). Write access also lets a user set the
// attribute with UpdateUserAttributes and an access token that carries
// the aws.cognito.signin.user.admin scope; so give such clients no
// aws.cognito.signin.user.admin scope, or a user could choose a tenant
// between two sign-ins. (Package tenancy's advice to leave the tenant
// attribute out of WriteAttributes holds for clients without federation.)
//
// Attribute values are personal data and tokenResponse holds the
// provider's tokens: the Handler logs provider names, tenant IDs,
// attribute names and counts, never values.
//
// Wiring:
//
//	cache, err := tenancy.NewCache(store, tenancy.CacheConfig{})
//	if err != nil { ... }
//	h, err := inbound.New(inbound.Config{
//		Providers: map[string]string{"AcmeSAML": "acme"},
//		Tenants:   cache,
//	})
//	if err != nil { ... }
//	h.Register(router)
//
// and attach the function to the pool's InboundFederation trigger with
// LambdaVersion V1_0 (the only version; "InboundFederationLambdaType",
// Amazon Cognito API Reference).
package inbound
