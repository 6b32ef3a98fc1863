/// Credit scores (350–950) from five dimensions, with reasons.
public enum Credit {}
