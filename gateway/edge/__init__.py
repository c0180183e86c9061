"""Steps 1-5 of the request path: guard, route, authenticate, shield, authorize."""
