import AsyncHTTPClient
import Foundation

/// The proxy for a request URL from the environment, read the way libcurl reads it (URLSession on Linux was
/// libcurl, so users behind a proxy keep working): `http_proxy` (lower case only) for http, `https_proxy` or
/// `HTTPS_PROXY` for https, else `all_proxy` / `ALL_PROXY`; `no_proxy` / `NO_PROXY` lists hosts and domain
/// suffixes that go direct (`*` = all). `socks4://`, `socks5://` and `socks5h://` proxies are SOCKS; others
/// HTTP (CONNECT for https), with basic credentials from `user:password@`.
enum OpenAIHTTPProxy {
    static func proxy(for url: URL, environment env: [String: String] = ProcessInfo.processInfo.environment)
        -> HTTPClient.Configuration.Proxy? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { env[$0] }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        let setting = scheme == "https" ? value("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
                                        : value("http_proxy", "all_proxy", "ALL_PROXY")
        guard let raw = setting?.trimmingCharacters(in: .whitespaces), !bypasses(host, value("no_proxy", "NO_PROXY")) else {
            return nil
        }
        guard let p = URL(string: raw.contains("://") ? raw : "http://" + raw), let proxyHost = p.host, !proxyHost.isEmpty else {
            return nil
        }
        let port = p.port ?? 1080  // libcurl's default proxy port
        if p.scheme?.lowercased().hasPrefix("socks") == true { return .socksServer(host: proxyHost, port: port) }
        let auth = p.user.map { HTTPClient.Authorization.basic(username: $0.removingPercentEncoding ?? $0,
                                                               password: (p.password ?? "").removingPercentEncoding ?? "") }
        return .server(host: proxyHost, port: port, authorization: auth)
    }

    /// `no_proxy`: comma-separated host names or domains (a leading dot optional) matched as suffixes.
    static func bypasses(_ host: String, _ noProxy: String?) -> Bool {
        guard let list = noProxy else { return false }
        for entry in list.split(separator: ",") {
            var e = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if e == "*" { return true }
            if e.hasPrefix(".") { e.removeFirst() }
            if e.isEmpty { continue }
            if host == e || host.hasSuffix("." + e) { return true }
        }
        return false
    }
}
