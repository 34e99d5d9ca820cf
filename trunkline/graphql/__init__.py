"""The GraphQL endpoint: the router (HTTP + graphql-transport-ws), the root Schema, its limits,
request bodies, bearer authentication, the typed context, and shared subscription delivery.

Import from the submodules: resolvers use ``context``, ``sharing`` and ``delivery`` while
``root`` imports the resolvers, so this package re-exports nothing.
"""
