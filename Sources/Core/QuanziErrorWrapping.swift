extension QuanziError {
    /// Runs an operation whose domain failures are thrown as `QuanziError` and turns any other
    /// failure (I/O, a database constraint the code should have checked first) into a coded
    /// error, so every caller speaks one error type and clients never see an untyped one.
    public static func wrapping<T>(as code: Code = .storageFailure, _ body: () throws -> T) throws(QuanziError) -> T {
        do {
            return try body()
        } catch let error as QuanziError {
            throw error
        } catch {
            throw QuanziError(code, "\(code == .storageFailure ? "storage failure" : code.rawValue): \(error)")
        }
    }

    /// The async form of `wrapping`.
    public static func wrapping<T>(as code: Code = .storageFailure, _ body: () async throws -> T) async throws(QuanziError) -> T {
        do {
            return try await body()
        } catch let error as QuanziError {
            throw error
        } catch {
            throw QuanziError(code, "\(code == .storageFailure ? "storage failure" : code.rawValue): \(error)")
        }
    }
}
