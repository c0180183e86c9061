"""Proxy benchmarks: chatguard against a direct upstream, nginx and mitmdump (`python -m benchmarks.run`)."""
