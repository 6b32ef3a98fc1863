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
