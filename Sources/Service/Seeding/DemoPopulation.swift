import Core
import Social

/// Deterministic demo people: who they are follows the seed story (students and office workers
/// in a dozen cities, most of them real-name verified).
enum DemoPopulation {
    static let cities = ["Hangzhou", "Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Chengdu", "Wuhan", "Nanjing", "Xi'an", "Chongqing", "Suzhou", "Tianjin"]
    static let schools = ["Zhejiang University", "Fudan University", "Peking University", "Tsinghua University", "Sun Yat-sen University",
                          "Sichuan University", "Wuhan University", "Nanjing University", "Xi'an Jiaotong University"]
    static let employers = ["Ant Group", "Alibaba", "Tencent", "ByteDance", "Meituan", "JD.com", "Bank of Hangzhou", "Huawei",
                            "NetEase", "Ping An", "China Mobile", "Xiaomi"]
    static let surnames = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo"]
    static let givenNames = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yang", "Jie", "Tao", "Xiu", "Hui", "Lin", "Ying", "Jun", "Qiang", "Yan"]

    /// Shares chosen to look like a young wallet user base; not measured data.
    static let studentShare = 0.30
    static let officeWorkerShare = 0.45
    static let verifiedShare = 0.82
    static let accountAgeDaysMax = 730

    static func user(_ index: Int, now: Int64, random: inout SeededGenerator) -> UserProfile {
        let id = UserID(Int64(index))
        let gender: Gender = random.chance(0.5) ? .female : .male
        let roll = random.unit()
        let occupation: Occupation = roll < studentShare ? .student : roll < studentShare + officeWorkerShare ? .officeWorker : .other
        let currentYear = 2026
        let birthYear: Int =
            switch occupation {
            case .student: currentYear - random.int(in: 18...24)
            case .officeWorker: currentYear - random.int(in: 22...45)
            case .other: currentYear - random.int(in: 18...65)
            }
        let createdAt = now - Int64(random.int(in: 1...accountAgeDaysMax)) * 86_400 - Int64(random.int(in: 0...86_399))
        let verified = random.chance(verifiedShare)
        return UserProfile(
            id: id, displayName: "\(random.pick(surnames)) \(random.pick(givenNames))", verified: verified,
            verifiedAtEpochSeconds: verified ? createdAt + Int64(random.int(in: 0...30)) * 86_400 : nil, gender: gender,
            birthYear: birthYear, occupation: occupation, school: occupation == .student ? random.pick(schools) : nil,
            employer: occupation == .officeWorker ? random.pick(employers) : nil, city: random.pick(cities),
            createdAtEpochSeconds: createdAt)
    }

    static let postBodies: [PostKind: [String]] = [
        .text: ["图书馆占座失败的一天", "今天的晚霞太美了", "加班到十点，犒劳自己一杯奶茶", "期末周倒计时", "周末去西湖边骑车",
                "新同事请吃饭，开心", "第一次用红包给室友AA", "考研上岸了！", "公司楼下新开了面馆", "午休散步两公里"],
        .photo: ["宿舍阳台的多肉", "食堂新菜：糖醋里脊", "通勤路上的樱花", "周末烘焙成果", "运动会合影"],
        .video: ["社团迎新晚会片段", "街边小吃测评", "五分钟学会拉花", "跑步打卡第30天"],
        .shopLink: ["这家茶叶店真心推荐", "学校门口的打印店五折", "好用的降噪耳机", "楼下水果店今天特价"],
    ]
}
