"""The GraphQL layer: types, inputs, root fields and dataloaders. It translates and delegates."""
