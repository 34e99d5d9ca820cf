"""Query, mutation and subscription resolvers: thin, they call services."""
