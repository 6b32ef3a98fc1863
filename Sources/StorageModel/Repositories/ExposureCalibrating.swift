import Core

/// What `quanzi ab calibrate` needs beyond the read repositories, to re-analyse one simulated
/// population many times: re-drawing which variant each exposed user is in, and each exposed
/// user's events since their first exposure. Only SQLite has it (`StorageBackend.calibration`):
/// simulations run in a SQLite database of their own.
public protocol ExposureCalibrating: Sendable {
    /// Sets the variant of each listed user's exposure to `experiment` in `phase`, in one
    /// transaction; events stay as they are.
    func reassignVariants(of experiment: String, phase: Int, _ variants: [(user: UserID, variant: String)]) throws

    /// Events of `kind` each user exposed in `phase` did at or after that exposure (the mean
    /// metric's numerator, as `MetricReading` counts it: a viewed page counts its posts).
    func eventCountsSinceExposure(_ kind: String, experiment: String, phase: Int) throws -> [UserID: Int]
}

extension StorageBackend {
    public var calibration: (any ExposureCalibrating)? { nil }
}
