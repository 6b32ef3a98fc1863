/// Automated A/B runs: a seeded population driving the real service code.
public enum Simulation {}
