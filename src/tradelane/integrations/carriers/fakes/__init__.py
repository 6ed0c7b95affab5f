"""Local fake carrier servers for tests: each speaks its carrier's real request/response
shapes (as karrio sends and parses them), enforces auth, injects faults, counts labels."""
