import Testing
@testable import Experiments

@Suite("Power and minimum detectable effect")
struct PowerTests {
    @Test("MDE, users needed and achieved power match scipy's normal quantiles")
    func scipyCases() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.power {
            let mde = try Power.minimumDetectableEffect(
                usersPerArm: testCase.usersPerArm, variance: testCase.variance, alpha: testCase.alpha, power: testCase.power)
            #expect(isClose(mde, testCase.minimumDetectableEffect))
            let needed = try Power.usersPerArm(
                effect: testCase.effect, variance: testCase.variance, alpha: testCase.alpha, power: testCase.power)
            #expect(needed == testCase.usersPerArmNeeded)
            let achieved = try Power.achievedPower(
                effect: testCase.effect, variance: testCase.variance, usersPerArm: testCase.usersPerArm, alpha: testCase.alpha)
            #expect(isClose(achieved, testCase.achievedPower))
        }
    }

    @Test("the MDE at n users is detected with the requested power, and needs about n users")
    func roundTrip() throws {
        for usersPerArm in [100, 2500, 40_000] {
            let mde = try Power.minimumDetectableEffect(usersPerArm: usersPerArm, variance: 15.21, power: 0.8)
            #expect(isClose(try Power.achievedPower(effect: mde, variance: 15.21, usersPerArm: usersPerArm), 0.8, relative: 1e-9))
            let needed = try Power.usersPerArm(effect: mde, variance: 15.21, power: 0.8)
            #expect(abs(needed - usersPerArm) <= 1)
        }
    }

    @Test("a non-significant result is told how many more users it needs")
    func additionalUsers() throws {
        let needed = try Power.usersPerArm(effect: 0.2, variance: 4)
        #expect(try Power.additionalUsersPerArm(effect: 0.2, variance: 4, currentUsersPerArm: 1000) == needed - 1000)
        #expect(try Power.additionalUsersPerArm(effect: 0.2, variance: 4, currentUsersPerArm: needed + 5) == 0)
    }

    @Test("invalid α, power, users or effect are refused")
    func refusals() {
        #expect(throws: StatisticsError.invalidProbability(0)) { try Power.usersPerArm(effect: 1, variance: 1, alpha: 0) }
        #expect(throws: StatisticsError.invalidProbability(1.5)) { try Power.usersPerArm(effect: 1, variance: 1, power: 1.5) }
        #expect(throws: StatisticsError.zeroEffect) { try Power.usersPerArm(effect: 0, variance: 1) }
        #expect(throws: StatisticsError.tooFewUsers) { try Power.minimumDetectableEffect(usersPerArm: 0, variance: 1) }
    }
}

@Suite("power on the relative scale the report tests")
struct RelativePowerTests {
    /// By hand: σ² = 4, μC = 2, n = 1000, r = 0.1 → SE² = 4·(1 + 1.21)/(1000·4) = 0.00221,
    /// SE = 0.047011; power = Φ(0.1/0.047011 − 1.959964) = Φ(0.167214) = 0.566399.
    @Test func achievedPowerByHand() throws {
        let error = try RelativePower.standardError(relativeLift: 0.1, controlMean: 2, variance: 4, usersPerArm: 1_000)
        #expect(isClose(error, 0.00221.squareRoot(), relative: 1e-12))
        #expect(isClose(try RelativePower.achievedPower(relativeLift: 0.1, controlMean: 2, variance: 4, usersPerArm: 1_000), 0.566399, relative: 1e-4))
    }

    /// At the minimum detectable lift the power is the target, and the users needed for it are
    /// the users given (up to rounding up).
    @Test func minimumDetectableLiftIsConsistent() throws {
        for (users, mean, variance) in [(5_000, 0.41, 15.21), (3_000, 2.0, 4.0), (100, 0.1, 0.09)] {
            guard let lift = try RelativePower.minimumDetectableLift(usersPerArm: users, controlMean: mean, variance: variance) else {
                Issue.record("no detectable lift for \(users), \(mean), \(variance)")
                continue
            }
            #expect(isClose(try RelativePower.achievedPower(relativeLift: lift, controlMean: mean, variance: variance, usersPerArm: users), 0.8,
                            relative: 1e-9))
            let needed = try RelativePower.usersPerArm(relativeLift: lift, controlMean: mean, variance: variance)
            #expect(needed >= users && needed <= users + 1)
        }
    }

    /// The relative test pays for the noise of the control mean: it needs more users than the
    /// absolute formula for the same lift.
    @Test func relativeNeedsMoreUsersThanAbsolute() throws {
        let relative = try RelativePower.usersPerArm(relativeLift: 0.05, controlMean: 0.41, variance: 15.21)
        let absolute = try Power.usersPerArm(effect: 0.05 * 0.41, variance: 15.21)
        #expect(relative > absolute)
    }

    @Test func tooFewUsersDetectNothing() throws {
        #expect(try RelativePower.minimumDetectableLift(usersPerArm: 2, controlMean: 0.1, variance: 1) == nil)
    }
}
