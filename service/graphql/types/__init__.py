"""GraphQL object, input and enum types."""
