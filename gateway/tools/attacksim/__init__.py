"""`chatguard attack-sim`: attacks built from a config, run against a live deployment, reported."""
