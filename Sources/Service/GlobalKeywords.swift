/// Keywords held for review in every circle, on top of each circle's own list: solicitation and
/// fraud phrases that got wallets' social features into the press.
public enum GlobalKeywords {
    public static let `default` = ["代开发票", "刷单返利", "裸聊", "援交", "赌博网站", "高额返现"]
}
