import Experiments
import Foundation
import Synchronization

/// What `/console/live.json` answers, and the small script that reads it. Hand-written: it is
/// twenty lines, and no package manager for scripts is reachable here.
struct ConsoleLive: Encodable, Sendable {
    struct Experiment: Encodable, Sendable {
        let id: String
        let status: String
        let ramp: String
        let exposed: [String: Int]
    }

    let at: Int64
    let experiments: [Experiment]

    static let refreshSeconds = 15

    /// Finds every element marked `data-live="status:ID"`, `"ramp:ID"` or `"exposed:ID:VARIANT"`
    /// and sets its text from live.json; a status also updates the badge's class and
    /// `data-status`. Text only (`textContent`), never markup. Stops when the session has ended.
    static let script = """
        (function () {
          "use strict";
          var marked = document.querySelectorAll("[data-live]");
          if (marked.length === 0) { return; }
          function refresh() {
            fetch("/console/live.json", { credentials: "same-origin", headers: { "Accept": "application/json" } })
              .then(function (response) {
                if (!response.ok || response.redirected) { throw new Error("session ended"); }
                return response.json();
              })
              .then(function (live) {
                var values = {};
                live.experiments.forEach(function (e) {
                  values["status:" + e.id] = e.status;
                  values["ramp:" + e.id] = e.ramp;
                  Object.keys(e.exposed).forEach(function (v) { values["exposed:" + e.id + ":" + v] = String(e.exposed[v]); });
                });
                marked.forEach(function (element) {
                  var key = element.getAttribute("data-live");
                  if (!(key in values) || element.textContent === values[key]) { return; }
                  element.textContent = values[key];
                  if (key.indexOf("status:") === 0) {
                    element.setAttribute("data-status", values[key]);
                    element.className = "status " + values[key];
                  }
                });
                window.setTimeout(refresh, \(refreshSeconds * 1000));
              })
              .catch(function () { /* logged out or offline: the page stays as served */ });
          }
          window.setTimeout(refresh, \(refreshSeconds * 1000));
        })();
        """
}

/// The list's analyses, kept `ttlSeconds` on the service's clock and dropped at once when the
/// experiment changes (a stop, a ship, a ramp step): the list shows live status always and
/// figures at most that old, without analysing every experiment on every page load.
final class ConsoleReports: Sendable {
    static let ttlSeconds: Int64 = 60

    private struct Entry {
        let report: ExperimentReport
        let revision: Int64
        let at: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])

    func report(of experiment: String, revision: Int64, now: Int64, analyse: () throws -> ExperimentReport) rethrows -> ExperimentReport {
        if let entry = entries.withLock({ $0[experiment] }), entry.revision == revision, now >= entry.at, now - entry.at < Self.ttlSeconds {
            return entry.report
        }
        let report = try analyse()
        entries.withLock { $0[experiment] = Entry(report: report, revision: revision, at: now) }
        return report
    }
}
