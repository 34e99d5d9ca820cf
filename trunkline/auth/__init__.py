"""Auth0 JWT verification (tokens, jwks), the Principal (principal), roles, permission classes.

Import from the submodules: the service layer uses ``principal`` without pulling in GraphQL.
"""
