"""The hygiene check before publishing (Reg §2.5, CO-2): learning asks compliance."""
