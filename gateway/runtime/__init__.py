"""Everything built once per config: routes, canonical paths, upstream pools, filter chains."""
