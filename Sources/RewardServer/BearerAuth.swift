/// Bearer-token check in constant time: every byte of the longer string is visited and
/// the verdict is accumulated without early exit, so timing does not reveal the prefix
/// a guess got right.
enum BearerAuth {
    static func matches(header: String?, key: String) -> Bool {
        guard let header else { return false }
        let prefix = "Bearer "
        guard header.utf8.count >= prefix.utf8.count, header.utf8.starts(with: prefix.utf8) else { return false }
        let given = Array(header.utf8.dropFirst(prefix.utf8.count)), want = Array(key.utf8)
        var diff = UInt8(given.count == want.count ? 0 : 1)
        let n = max(given.count, want.count)
        for i in 0..<n {
            let a = i < given.count ? given[i] : 0
            let b = i < want.count ? want[i] : 0
            diff |= a ^ b
        }
        return diff == 0
    }
}
