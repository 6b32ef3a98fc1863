import Core
import Testing

@testable import Social

@Suite("user profile")
struct UserProfileTests {
    @Test("age and account age from the clock", arguments: [
        (Int64(0), 1970), (Int64(951_782_400), 2000), (Int64(1_767_225_599), 2025), (Int64(1_767_225_600), 2026), (Int64(-1), 1969),
    ])
    func civilYear(seconds: Int64, year: Int) {
        #expect(CivilCalendar.year(ofEpochSeconds: seconds) == year)
    }

    @Test("age uses the birth year")
    func age() {
        let user = UserProfile(id: UserID(1), birthYear: 2004, createdAtEpochSeconds: 1_767_225_600 - 10 * 86_400)
        #expect(user.age(atEpochSeconds: 1_767_225_600) == 22)
        #expect(user.accountAgeDays(atEpochSeconds: 1_767_225_600) == 10)
        #expect(UserProfile(id: UserID(2)).age(atEpochSeconds: 0) == nil)
    }
}
