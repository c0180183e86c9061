"""What an inspection means on the wire, and the countermeasures it calls for."""
