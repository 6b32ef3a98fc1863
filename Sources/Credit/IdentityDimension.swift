/// Identity traits (身份特质), up to 90 points: who stands behind the account.
enum IdentityDimension {
    /// Real-name verification is half the dimension: every verified account is traceable to a
    /// person, which is the product's whole moderation argument.
    static let verifiedPoints = 45.0
    /// Up to this many more as the verification ages (a fresh verification may be a fresh identity).
    static let verifiedTenurePoints = 10.0
    /// Days after verification when the tenure points are full (chosen: a year).
    static let verifiedTenureFullDays = 365.0
    /// A declared student or office-worker occupation (Sesame reads education and occupation).
    static let occupationPoints = 10.0
    /// A named school or employer.
    static let institutionPoints = 10.0
    /// A named city (Sesame's "stable address").
    static let cityPoints = 15.0
    /// Declarations without verification count this much: anyone can type a school's name.
    static let unverifiedDeclarationFactor = 0.5

    /// `identity` must be clamped (`CreditInputs.clamped`).
    static func score(_ identity: CreditIdentity) -> CreditDimensionScore {
        var tally = DimensionTally(.identity)
        let declarationFactor: Double
        if let verifiedDaysAgo = identity.verifiedDaysAgo {
            let days = verifiedDaysAgo
            tally.add(.identityRealNameVerified, points: verifiedPoints, "real-name verified")
            tally.add(
                .identityVerifiedTenure,
                points: verifiedTenurePoints * Curve.ramp(Double(days), from: 0, to: verifiedTenureFullDays),
                "verified \(counted(days, "day")) ago")
            declarationFactor = 1
        } else {
            tally.add(.identityNotVerified, points: 0, "not real-name verified: verify to gain up to \(Int(verifiedPoints)) points")
            declarationFactor = unverifiedDeclarationFactor
        }
        let unverifiedNote = declarationFactor < 1 ? " (unverified, counts half)" : ""
        switch identity.occupation {
        case .student: tally.add(.identityOccupation, points: occupationPoints * declarationFactor, "occupation: student\(unverifiedNote)")
        case .officeWorker:
            tally.add(.identityOccupation, points: occupationPoints * declarationFactor, "occupation: office worker\(unverifiedNote)")
        case .other: break
        }
        if identity.hasSchool || identity.hasEmployer {
            let named = identity.hasEmployer ? "an employer" : "a school"
            tally.add(.identityInstitution, points: institutionPoints * declarationFactor, "profile names \(named)\(unverifiedNote)")
        }
        if identity.hasCity {
            tally.add(.identityCity, points: cityPoints * declarationFactor, "profile names a city\(unverifiedNote)")
        }
        return tally.finished()
    }
}
