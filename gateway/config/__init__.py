"""The YAML config as frozen, validated settings, and the route presets."""
