"""Teaching: critique of the user's own mix against the assistant and real mixes, and ear
training on the user's song."""
