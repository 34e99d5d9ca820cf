"""The domain rules: tenants, credentials, numbers, messaging, voice, email, usage."""
