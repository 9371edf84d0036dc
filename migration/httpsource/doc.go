// Package httpsource adapts a legacy OAuth2 identity service to a
// migration.Source: it checks a password with the resource-owner password
// grant at the token endpoint and reads the profile from the user-info
// endpoint with the token it gets.
//
// Authenticate posts grant_type=password (RFC 6749 §4.3) with the client's
// credentials (HTTP Basic by default, or in the form), then GETs the
// user-info URL with the access token. An "invalid_grant" answer is a wrong
// password, or an unknown user: the protocol does not tell them apart, and
// the migration handler refuses both with one message anyway.
//
// # Outages and refusals
//
// Only outages count against the migration's circuit breaker and are
// retried: transport errors and timeouts, 5xx answers, server_error and
// temporarily_unavailable, a redirect, and the service refusing our own
// client (401, invalid_client, unauthorized_client,
// unsupported_grant_type, invalid_scope; at the lookup endpoint 401 and
// 403). Any caller can make the service answer about one user, so every
// other 4xx to a password grant, the user-info or the lookup endpoint
// (invalid_request for an over-long password, access_denied for a locked
// account, 429 for a per-user rate limit, 423, ...) wraps
// migration.ErrRefused: that user is refused, nobody else is affected.
//
// Lookup, for a forgotten password, needs an endpoint that the password
// grant does not have: set Config.LookupURL to a URL template with
// {username} (e.g. https://idp.example.com/admin/users/{username}); it is
// called with a client-credentials token (cached until it expires) and
// answers 200 with a JSON object of fields, or 404. Without it, Lookup
// returns an error wrapping errors.ErrUnsupported. In the path, the name
// fills one segment, escaped with url.PathEscape (so '/', '?', '#', ';' and
// '%' are encoded); in the query it is query-escaped (so '&' and '=' are
// too); a name that is "." or ".." (or empty) is refused without a request,
// since servers resolve dot segments even percent-encoded. A template with
// {username} in the host or a fragment is a configuration error.
//
// JSON values become field text: strings as they are, booleans as "true"
// or "false", numbers as written; objects, arrays and null are skipped.
//
// The client secret and the tokens are triggers.Secret values, and no error
// or log line holds them, the password or a response body. Redirects are not
// followed, so the password is never re-posted to another host. Every call
// honours its context; run the Source under a migration.Guard for timeouts,
// retries and a circuit breaker.
package httpsource
