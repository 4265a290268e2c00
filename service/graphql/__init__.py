"""The GraphQL API: types, resolvers, mutations, DataLoaders."""
