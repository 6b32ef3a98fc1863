/// Native feed ranking: candidate window, scoring, top-K, diversity, pagination, explain.
public enum Feed {}
