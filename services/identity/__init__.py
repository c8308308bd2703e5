"""The identity service: schools, people, roles, guardianship, tokens (ID-1 … ID-10)."""
