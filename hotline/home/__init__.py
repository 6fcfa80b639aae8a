"""Each role's home page: what that person should do next."""
