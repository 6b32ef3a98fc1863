/// The time windows Storage counts over. Public so the queries and the scoring agree on them.
///
/// Windows forget: an offence stops counting once it leaves its window, so a score can recover
/// (Sesame scores move monthly; a quarter is long enough to show a change of habit).
public enum CreditWindows {
    /// Days with activity are counted over the last year.
    public static let activeDaysWindowDays = 365
    /// Failed payments (insufficient funds) are counted over the last year: the same span as
    /// active days, so a user's failures and their everyday use are measured alike.
    public static let paymentFailuresWindowDays = 365
    /// Posts, hides and reports are counted over the last 90 days (chosen: a quarter).
    public static let conductWindowDays = 90
}
